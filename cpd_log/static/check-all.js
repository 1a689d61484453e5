// "Choose all": a box that ticks or clears every enabled checkbox of one name, and shows
// whether all, some (indeterminate) or none are ticked. Hidden until this script runs.
(function () {
  "use strict";
  for (const all of document.querySelectorAll("[data-check-all]")) {
    const form = all.closest("form");
    const boxes = Array.from(
      form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.checkAll}"]`)
    ).filter((box) => !box.disabled);
    if (!boxes.length) continue;

    function sync() {
      const ticked = boxes.filter((box) => box.checked).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }

    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes) box.checked = all.checked;
      sync();
    });
    for (const box of boxes) box.addEventListener("change", sync);
    sync();
  }
})();
