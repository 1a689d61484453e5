// Claim list: a "Copy" button beside each value. Without script (or clipboard access) the values
// stay selectable text, one click selecting the whole value.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  for (const value of document.querySelectorAll("[data-copy]")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm ms-2 py-0";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + value.dataset.copy);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(value.textContent).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Select and copy"; }
      );
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
    value.after(button);
  }
})();
