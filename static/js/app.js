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

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]")) {
      target.form.submit();
    } else if (target.matches("select[data-navigate]")) {
      // Reload the page for the chosen value (e.g. another bank), keeping nothing else.
      window.location.search = "?" + encodeURIComponent(target.name) + "=" + encodeURIComponent(target.value);
    }
  });

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

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
})();
