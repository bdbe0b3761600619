// Bank pages, enhanced; each works without this file.
// The bank's filter drawer: open on a desk (where CSS cannot force it), Escape closes it on a phone.
(function () {
  "use strict";
  var drawer = document.getElementById("filter-drawer");
  if (!drawer) return;
  var desk = window.matchMedia("(min-width: 901px)");
  function openOnDesk() { if (desk.matches) drawer.open = true; }
  openOnDesk();
  desk.addEventListener("change", openOnDesk);
  drawer.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || desk.matches || !drawer.open) return;
    drawer.open = false;
    drawer.querySelector("summary").focus();
  });
})();

// The question edit form: fields that fit the question's kind, options added and removed in
// place. Without this file every field shows and a blank option row is added per save.
(function () {
  "use strict";
  var form = document.getElementById("question-edit");
  if (!form) return;

  function announce(text) {
    var live = document.getElementById("live-status");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }

  // Controls that need this script show; their no-script stand-ins go.
  form.querySelectorAll("[data-needs-js]").forEach(function (el) { el.hidden = false; });
  form.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });

  // The reference answer belongs to open questions, the options to choice questions.
  var kind = document.getElementById("id_kind");
  function showForKind() {
    form.querySelectorAll("[data-show-for-kinds]").forEach(function (el) {
      el.hidden = el.dataset.showForKinds.split(" ").indexOf(kind.value) === -1;
    });
  }
  if (kind) {
    kind.addEventListener("change", showForKind);
    showForKind();
  }

  var box = document.getElementById("choices-edit");
  var rows = document.getElementById("choice-rows");
  var template = document.getElementById("choice-row-template");
  var addButton = document.getElementById("add-choice");
  var total = form.querySelector("input[name=choices-TOTAL_FORMS]");
  var initial = form.querySelector("input[name=choices-INITIAL_FORMS]");
  if (!box || !rows || !template || !addButton || !total) return;

  function liveRows() {
    return Array.prototype.filter.call(rows.querySelectorAll("[data-choice-row]"), function (row) {
      return !row.hidden;
    });
  }
  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }
  function rowName(row) {
    var label = field(row, "label");
    return (label && label.value.trim()) || String(liveRows().indexOf(row) + 1);
  }
  function isBlank(row) {
    return !field(row, "label").value.trim() && !field(row, "text_md").value.trim();
  }
  function nextLabel() {
    var used = liveRows().map(function (row) { return field(row, "label").value.trim(); });
    for (var code = 65; code < 91; code++) {
      var letter = String.fromCharCode(code);
      if (used.indexOf(letter) === -1) return letter;
    }
    return "";
  }

  // The blank row left for browsers without this script is not needed: "Add an option" is here.
  var all = rows.querySelectorAll("[data-choice-row]");
  var last = all[all.length - 1];
  if (last && all.length > Number(initial.value) && all.length > 1 && isBlank(last) &&
      !form.querySelector(".errorlist")) {
    last.remove();
    total.value = String(Number(total.value) - 1);
  }

  addButton.addEventListener("click", function () {
    if (liveRows().length >= Number(box.dataset.max)) {
      announce(box.dataset.full);
      return;
    }
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(liveRows().length + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.querySelectorAll("[data-needs-js]").forEach(function (el) { el.hidden = false; });
    row.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });
    rows.appendChild(row);
    total.value = String(index + 1);
    field(row, "label").value = nextLabel();
    field(row, "text_md").focus();
    announce(box.dataset.added.replace("{label}", rowName(row)));
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-choice]");
    if (!button) return;
    var row = button.closest("[data-choice-row]");
    var name = rowName(row);
    var remaining = liveRows();
    var next = remaining[remaining.indexOf(row) + 1] || remaining[remaining.indexOf(row) - 1];
    field(row, "DELETE").checked = true;  // the server drops the row; its index stays in order
    row.hidden = true;
    (next ? next.querySelector("[data-remove-choice]") : addButton).focus();
    announce(box.dataset.removed.replace("{label}", name));
  });
})();
