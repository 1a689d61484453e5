// A read-only field shown once (a new share link): focusing it selects it all, and its Copy
// button (hidden until this script runs) puts it on the clipboard and says so.
(function () {
  "use strict";
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
  for (const button of document.querySelectorAll("[data-copy-from]")) {
    const field = document.getElementById(button.dataset.copyFrom);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copyFrom}"]`);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.focus();
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = "Copied.";
      } catch (error) {
        if (status) status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
      }
    });
  }
})();
