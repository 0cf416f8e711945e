// Exhibit upload on the case page: drag and drop or pick files; each is sent
// as multipart/form-data (title, description, then the file), with the CSRF
// token in a header and a progress bar. The server streams the file to disk,
// decides its type from the content, and answers errors as JSON.
(function () {
  "use strict";
  var box = document.getElementById("exhibit-upload");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var drop = document.getElementById("exhibit-drop");
  var picker = document.getElementById("exhibit-file");
  var bar = document.getElementById("exhibit-progress");
  var status = document.getElementById("exhibit-status");
  var title = document.getElementById("exhibit-title");
  var desc = document.getElementById("exhibit-description");
  var queue = [];
  var busy = false;

  function next() {
    if (busy) { return; }
    var file = queue.shift();
    if (!file) { window.location.reload(); return; }
    busy = true;
    // Multipart, the texts before the file: long titles and descriptions
    // do not fit in the address, and the server reads the parts as they
    // come. size lets the server refuse a file that arrives cut short.
    var form = new FormData();
    form.append("title", title.value || "");
    form.append("description", desc.value || "");
    form.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url + "?size=" + file.size);
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    bar.value = 0;
    status.textContent = file.name;
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    };
    xhr.onload = function () {
      busy = false;
      if (xhr.status === 201) {
        bar.value = 100;
        title.value = "";
        next();
        return;
      }
      var msg = xhr.status + "";
      try { msg = JSON.parse(xhr.responseText).error.message; } catch (err) { /* keep the status */ }
      status.textContent = file.name + ": " + msg;
      status.className = "error";
      queue = [];
    };
    xhr.onerror = function () {
      busy = false;
      status.textContent = file.name + ": " + (box.getAttribute("data-neterr") || "network error");
      status.className = "error";
      queue = [];
    };
    xhr.send(form);
  }

  function add(files) {
    for (var i = 0; i < files.length; i++) { queue.push(files[i]); }
    next();
  }

  picker.addEventListener("change", function () { add(picker.files); });
  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files) { add(e.dataTransfer.files); }
  });
})();
