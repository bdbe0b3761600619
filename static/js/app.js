// Small progressive enhancements shared by every page; every page works without them.
(function () {
  "use strict";
  // Report the browser's time zone so the server shows local times.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=" + tz) === -1) {
      document.cookie = "tz=" + tz + ";path=/;max-age=31536000;SameSite=Lax";
    }
  } catch (e) { /* older browsers: server time zone */ }

  // htmx requests that fail (the server errs, the session ended, the network is down) say so,
  // instead of leaving the page as it was without a word. Validation answers are swapped in.
  function showFailure(kind) {
    var notice = document.getElementById("request-failed");
    if (!notice) return;
    notice.textContent = notice.dataset[kind];
    notice.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showFailure(status === 401 || status === 403 ? "forbidden" : "server");
  });
  document.addEventListener("htmx:sendError", function () { showFailure("network"); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var notice = document.getElementById("request-failed");
    if (notice && event.detail.successful) notice.hidden = true;
  });

  // After an htmx update: say what changed (the first [data-announce] in it) in the page's one
  // live region, and if focus was lost with the element that had it, move it to the update's
  // [data-focus-after-swap], so keyboard users carry on from there instead of the page top.
  // An announced change inside a [data-flash] box (a row of a list) also lights that box up.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) return;
    var live = document.getElementById("live-status");
    var said = document.querySelector("[data-announce]");
    if (said) {
      said.removeAttribute("data-announce");  // said once, not again on the next update
      var text = said.textContent.trim();
      if (live) {
        live.textContent = "";
        window.setTimeout(function () { live.textContent = text; }, 60);
      }
      var box = said.closest("[data-flash]");
      if (box) {
        box.classList.add("flash");
        window.setTimeout(function () { box.classList.remove("flash"); }, 2000);
      }
    }
    var active = document.activeElement;
    if (!active || active === document.body || !document.contains(active)) {
      // A field the answer marks invalid comes first: that is what the user must fix.
      var spot = target.querySelector('[aria-invalid="true"]') ||
        target.querySelector("[data-focus-after-swap]");
      if (spot) spot.focus();
    }
  });

  // A select that acts on change (language, bank) acts on a pointer choice at once, but with
  // the keyboard only on Enter or on leaving it: arrow keys just move through the options.
  var keyed = null;  // the select whose value the keyboard is moving through, if any
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches("select[data-autosubmit], select[data-navigate]")) return;
    if (keyed === target) {
      target.dataset.changed = "1";  // acted on at Enter or when focus leaves
    } else {
      act(target);
    }
  });
  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit], select[data-navigate]")) return;
    if (event.key === "Enter" && keyed === select) {
      event.preventDefault();
      keyed = null;
      act(select);
    } else if (event.key !== "Tab" && event.key !== "Enter") {
      keyed = select;
    }
  });
  document.addEventListener("pointerdown", function (event) {
    if (keyed && event.target === keyed) keyed = null;  // back to choosing with the pointer
  });
  document.addEventListener("focusout", function (event) {
    if (keyed && event.target === keyed && keyed.dataset.changed) {
      var select = keyed;
      keyed = null;
      act(select);
    }
  });

  function act(select) {
    delete select.dataset.changed;
    if (select.matches("[data-autosubmit]")) {
      select.form.submit();
    } else {
      // Reload the page for the chosen value (e.g. another bank), keeping nothing else.
      window.location.search = "?" + encodeURIComponent(select.name) + "=" + encodeURIComponent(select.value);
    }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
})();
