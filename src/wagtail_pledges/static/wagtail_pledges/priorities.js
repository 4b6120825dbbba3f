/* Progressive enhancement of the action plan's priorities formset.
 * Without this script the "Add another priority" submit button and the
 * "Remove this priority when I save" checkboxes do the same job on the server. */
(function () {
  "use strict";

  function enhance(root) {
    var prefix = root.dataset.prefix;
    var total = root.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var list = root.querySelector("[data-forms]");
    var template = root.querySelector("template[data-empty-form]");
    var announce = root.querySelector("[data-announce]");
    var add = root.querySelector("[data-add]");

    function addRemoveButton(row) {
      var checkbox = row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (!checkbox || row.querySelector("[data-remove]")) return;
      checkbox.closest("[data-delete]").hidden = true;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pledges-button pledges-button--secondary";
      button.dataset.remove = "1";
      button.textContent = root.dataset.removeLabel;
      button.addEventListener("click", function () {
        checkbox.checked = true;
        row.hidden = true;
        announce.textContent = root.dataset.removedText;
        add.focus();
      });
      row.appendChild(button);
    }

    Array.prototype.forEach.call(list.querySelectorAll("[data-form]"), addRemoveButton);
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
      total.value = index + 1;
      var row = list.lastElementChild;
      addRemoveButton(row);
      var first = row.querySelector("textarea, input:not([type=hidden]), select");
      if (first) first.focus();
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pledges-formset]"), enhance);
    var summary = document.querySelector("[data-pledges-error-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
