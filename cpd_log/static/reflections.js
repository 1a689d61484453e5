// Reflection form: show the stages of the chosen model. Stages of another model that hold text
// stay visible as "Text from the previous model"; nothing is hidden that has text in it.
(function () {
  "use strict";
  const select = document.getElementById("model");
  if (!select) return;
  const sets = Array.from(document.querySelectorAll(".stage-set"));

  function hasText(set) {
    return Array.from(set.querySelectorAll("textarea")).some((t) => t.value.trim() !== "");
  }

  function update() {
    for (const set of sets) {
      const current = set.dataset.model === select.value;
      set.hidden = !current && !hasText(set);
      set.querySelector('[data-role="summary"]').hidden = !current;
      set.querySelector('[data-role="previous"]').hidden = current;
    }
  }

  select.addEventListener("change", update);
})();
