// Question-set builder and editor: keeps focus where the user acted across htmx updates,
// drag to reorder, arrow keys on a focused handle, the Choose… toggle, Enter in fields, print.
// Every action is also reachable with plain buttons and forms; this only adds the comfort.
(function () {
  "use strict";

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function refocus(itemId) {
    var handle = document.querySelector('.set-item[data-item="' + itemId + '"] .item-handle');
    if (handle) handle.focus();
  }

  function post(url, body, itemId) {
    if (!window.htmx) return;
    window.htmx
      .ajax("POST", url, { target: "#set-editor", values: body || {}, headers: { "X-CSRFToken": csrf() } })
      .then(function () { if (itemId) refocus(itemId); });
  }

  // Every editor action replaces the list, and with it the focused button. Remember which
  // control of which row started the request, and put focus back on it (or on the row that took
  // its place after a removal), so the keyboard user stays where they were.
  var restore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    restore = null;
    if (!target || !(target.id === "set-editor" || target.classList.contains("set-item"))) return;
    var active = document.activeElement;
    var row = active && target.contains(active) && active.closest(".set-item");
    if (!row) return;
    var keyed = active.closest("[data-focus-key]");
    restore = {
      item: row.dataset.item,
      key: keyed ? keyed.dataset.focusKey : "",
      next: row.nextElementSibling && row.nextElementSibling.dataset.item,
      prev: row.previousElementSibling && row.previousElementSibling.dataset.item,
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!restore) return;
    var spot = restore;
    restore = null;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var row = [spot.item, spot.next, spot.prev].map(function (id) {
      return id && document.querySelector('.set-item[data-item="' + id + '"]');
    }).filter(Boolean)[0];
    if (!row) {
      var heading = document.getElementById("set-items-heading");
      if (heading) heading.focus();
      return;
    }
    var same = row.dataset.item === spot.item;
    var control = same && row.querySelector('[data-focus-key="' + spot.key + '"]');
    if (control && control.tagName === "FORM") control = control.querySelector("input");
    // An action from a row's closed "more" menu (narrow screens) comes back to that menu's button.
    if (control && !isShown(control)) control = rowMenuToggle(row);
    if (!control || control.disabled) control = row.querySelector(".item-handle");
    if (control) control.focus();
  });

  // A new points request clears the errors other rows still show from earlier attempts
  // (points redraw only their own row, so nothing else would): a field left refused shows its
  // saved value again, no longer marked invalid.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches(".points-form")) return;
    document.querySelectorAll("#set-editor .item-error").forEach(function (el) { el.remove(); });
    document.querySelectorAll('#set-editor .points-form input[aria-invalid="true"]').forEach(
      function (field) {
        if (form.contains(field)) return;
        field.value = field.dataset.saved;
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      }
    );
  });

  // The builder: Enter in the title or time limit saves the draft shown; it must not fall
  // through to the form's first button (Assemble), which would draw a new one instead.
  // Before there is a draft (no Save button yet), Enter assembles one.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest || !event.target.closest("#set-fields")) return;
    if (event.target.tagName !== "INPUT") return;
    var save = document.querySelector('#builder button[name="action"][value="save"]');
    if (!save || save.disabled) return;
    event.preventDefault();
    save.click();
  });

  // The builder: the draft warns as soon as the time limit typed is below its estimate.
  function checkTimeLimit() {
    var field = document.getElementById("id_time_limit_minutes");
    var warning = document.querySelector('#draft [data-summary="over-time"][data-template]');
    if (!field || !warning) return;
    var limit = parseInt(field.value, 10);
    var over = limit > 0 && Number(warning.dataset.minutes) > limit;
    warning.textContent = over ? warning.dataset.template.replace("{limit}", String(limit)) : "";
    warning.hidden = !over;
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_time_limit_minutes") checkTimeLimit();
  });
  // A builder answer replaces the title and time limit too: a field the server refused gets
  // focus (it lies outside the draft, where focus would otherwise land).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "draft") return;
    checkTimeLimit();
    var refused = document.querySelector('#set-fields [aria-invalid="true"]');
    if (refused) refused.focus();
  });

  // Points: Enter saves through htmx like a change does (no second, full-page post).
  document.addEventListener("submit", function (event) {
    if (window.htmx && event.target.matches(".points-form")) event.preventDefault();
  });

  // Narrow screens: the editor's side tools ("Add from the bank", "Settings") would come after
  // every item, so a tab bar at the top shows the list or one tool at a time. Wide screens show
  // everything side by side and no bar. Arrow keys, Home and End move between the tabs.
  var narrow = window.matchMedia("(max-width: 900px)");
  function editorTabs() {
    var bar = document.querySelector("[data-editor-tabs]");
    return bar ? Array.prototype.slice.call(bar.querySelectorAll('[role="tab"]')) : [];
  }
  function tabPanel(tab) {
    return document.getElementById(tab.getAttribute("aria-controls"));
  }
  function layoutTabs() {
    var tabs = editorTabs();
    if (!tabs.length) return;
    var on = narrow.matches;
    tabs[0].parentNode.hidden = !on;
    tabs.forEach(function (tab) {
      var panel = tabPanel(tab);
      if (!panel) return;
      if (on) {
        panel.setAttribute("role", "tabpanel");
        if (!panel.hasAttribute("aria-labelledby")) panel.setAttribute("aria-labelledby", tab.id);
        panel.hidden = tab.getAttribute("aria-selected") !== "true";
      } else {
        panel.removeAttribute("role");
        if (panel.getAttribute("aria-labelledby") === tab.id) panel.removeAttribute("aria-labelledby");
        panel.hidden = false;
      }
    });
  }
  function selectTab(chosen) {
    editorTabs().forEach(function (tab) {
      var on = tab === chosen;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    });
    layoutTabs();
    chosen.focus();
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest('[data-editor-tabs] [role="tab"]');
    if (tab) selectTab(tab);
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[data-editor-tabs] [role="tab"]');
    if (!tab) return;
    var tabs = editorTabs();
    var i = tabs.indexOf(tab);
    var next = {
      ArrowRight: tabs[(i + 1) % tabs.length],
      ArrowLeft: tabs[(i - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    selectTab(next);
  });
  if (narrow.addEventListener) narrow.addEventListener("change", layoutTabs);
  document.addEventListener("DOMContentLoaded", layoutTabs);
  layoutTabs();
  // The Questions tab says how many there are, also after an add or a removal.
  document.addEventListener("htmx:afterSettle", function () {
    var count = document.querySelector("[data-tab-count]");
    var figure = document.querySelector('#set-editor [data-summary="count"]');
    if (count && figure) count.textContent = figure.textContent;
  });

  // Narrow screens: a row's Swap, Choose… and Remove sit behind its "more" button (wide
  // screens show them in the row). Escape or a click elsewhere closes it; focus returns to
  // the button.
  function isShown(el) {
    return !!el && el.getClientRects().length > 0;
  }
  function closeMenus(except) {
    document.querySelectorAll("[data-more-toggle][aria-expanded=true]").forEach(function (t) {
      if (t === except) return;
      t.setAttribute("aria-expanded", "false");
      var menu = document.getElementById(t.getAttribute("aria-controls"));
      if (menu) menu.classList.remove("open");
    });
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-more-toggle]");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      closeMenus(toggle);
      toggle.setAttribute("aria-expanded", String(open));
      document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
      if (open) {
        var first = document.querySelector("#" + toggle.getAttribute("aria-controls") + " button:not([disabled])");
        if (first) first.focus();
      }
      return;
    }
    var inMenu = event.target.closest && event.target.closest(".item-more.open");
    if (inMenu) {
      // The chosen action runs; the menu closes and focus waits on its button meanwhile.
      var owner = document.querySelector('[aria-controls="' + inMenu.id + '"]');
      closeMenus();
      if (owner) owner.focus();
      return;
    }
    closeMenus();
  });
  function rowMenuToggle(row) {
    return row && row.querySelector("[data-more-toggle]");
  }

  // "Choose…" opens the slot's candidates and closes them again; Escape closes them too.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var toggle = event.detail.elt;
    if (!toggle.matches || !toggle.matches("[data-swap-toggle]")) return;
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (panel && panel.childElementCount) {
      event.preventDefault();
      panel.innerHTML = "";
      toggle.setAttribute("aria-expanded", "false");
    } else {
      toggle.setAttribute("aria-expanded", "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var row = event.target.closest && event.target.closest(".set-item");
    var menuToggle = rowMenuToggle(row);
    if (menuToggle && menuToggle.getAttribute("aria-expanded") === "true") {
      closeMenus();  // an open menu closes first, and gives focus back to its button
      menuToggle.focus();
      return;
    }
    var panel = row && row.querySelector(".swap-options");
    if (!panel || !panel.childElementCount) return;
    var toggle = document.querySelector('[aria-controls="' + panel.id + '"]');
    panel.innerHTML = "";
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      (isShown(toggle) ? toggle : menuToggle || toggle).focus();
    }
  });

  // Arrow keys on a focused handle move that item.
  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".item-handle");
    if (!handle || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    var row = handle.closest(".set-item");
    var up = event.key === "ArrowUp";
    if (!(up ? row.previousElementSibling : row.nextElementSibling)) return;  // already at the end
    post(up ? handle.dataset.up : handle.dataset.down, {}, row.dataset.item);
  });

  // Drag and drop between rows; the new order is posted as a list of item ids.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest(".set-item[draggable=true]");
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.item);
  });
  document.addEventListener("dragover", function (event) {
    var row = event.target.closest && event.target.closest(".set-item");
    if (!dragged || !row || row === dragged) return;
    event.preventDefault();
    var rect = row.getBoundingClientRect();
    var after = event.clientY > rect.top + rect.height / 2;
    row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
  });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.closest(".set-items");
    var item = dragged.dataset.item;
    dragged.classList.remove("dragging");
    dragged = null;
    var order = Array.prototype.map.call(list.querySelectorAll(".set-item"), function (li) {
      return li.dataset.item;
    });
    post(list.dataset.reorderUrl, { order: order.join(",") }, item);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // A question added from the search panel: mark its result as added, and bring the new row
  // into view (it lands at the end of what may be a long list) with a brief highlight.
  document.body.addEventListener("set-item-added", function (event) {
    var row = document.querySelector('.set-item[data-item="' + event.detail.item + '"]');
    if (!row) return;
    var button = document.querySelector('#add-results [data-add="' + row.dataset.question + '"]');
    if (button) {
      // The disabled button cannot keep focus: hand it to the next result, else the search box.
      var hadFocus = document.activeElement === button || document.activeElement === document.body;
      button.disabled = true;
      button.textContent = button.dataset.addedLabel;
      if (hadFocus) {
        var next = document.querySelector("#add-results [data-add]:not([disabled])");
        (next || document.getElementById("add-search")).focus();
      }
    }
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  // The builder: show the band table or the range inputs, as the mode says.
  function syncMode() {
    var checked = document.querySelector('input[name="mode"]:checked');
    if (!checked) return;
    document.querySelectorAll("[data-mode]").forEach(function (el) {
      if (el.tagName === "INPUT") return;
      el.hidden = el.dataset.mode !== checked.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "mode") syncMode();
  });
  document.addEventListener("DOMContentLoaded", syncMode);
  syncMode();
})();
