// Adds a "Copy" button to every citation block; without JavaScript the text stays selectable.
document.querySelectorAll("[data-copyable]").forEach(function (block) {
  var text = block.querySelector(".citation-text");
  if (!text || !navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy-button";
  button.textContent = "Copy citation";
  var status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(text.textContent.trim()).then(
      function () { status.textContent = "Copied"; },
      function () { status.textContent = "Select the text and copy it"; }
    );
  });
  block.appendChild(button);
  block.appendChild(status);
});
