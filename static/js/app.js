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

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
})();
