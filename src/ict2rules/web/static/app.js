// ict2rules serve: drag and drop onto the file field, and a list of the files chosen.
// Progressive enhancement only: without this script the form works as it is.
"use strict";
(function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("files");
  var list = document.getElementById("chosen");
  var form = document.getElementById("check-form");
  if (!drop || !input || !list || !form) { return; }

  function show() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    for (var i = 0; i < input.files.length; i++) {
      var f = input.files[i];
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      list.appendChild(li);
    }
  }

  // Files dropped are added to those already chosen (a plan, then the roster).
  function add(files) {
    var dt = new DataTransfer();
    var seen = {};
    var all = Array.prototype.slice.call(input.files).concat(Array.prototype.slice.call(files));
    all.forEach(function (f) {
      var key = f.name + "/" + f.size;
      if (!seen[key]) { seen[key] = true; dt.items.add(f); }
    });
    input.files = dt.files;
    show();
  }

  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { add(e.dataTransfer.files); }
  });
  input.addEventListener("change", show);
  show();
})();
