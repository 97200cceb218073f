// A <select data-autosubmit> submits its form when changed (no inline handlers: the CSP
// forbids them).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
