// Question-set editor: drag to reorder, arrow keys on a focused handle, print buttons.
// Every action is also reachable with plain buttons; this only adds the shortcuts.
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

  // Arrow keys on a focused handle move that item.
  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".item-handle");
    if (!handle || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    var item = handle.closest(".set-item").dataset.item;
    post(event.key === "ArrowUp" ? handle.dataset.up : handle.dataset.down, {}, item);
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
      button.disabled = true;
      button.textContent = button.dataset.addedLabel;
    }
    row.classList.add("just-added");
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
    setTimeout(function () { row.classList.remove("just-added"); }, 2500);
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
