// Photos are made smaller on the phone before they are queued: longest side 1600 px, JPEG ~0.8.
// Re-encoding through a canvas also drops the EXIF block (and the GPS position it may hold).
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  function loadImage(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return viaElement(file); });
    }
    return viaElement(file);
  }

  function viaElement(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  function downscale(file, maxSide, quality) {
    maxSide = maxSide || MAX_SIDE;
    quality = quality || QUALITY;
    return loadImage(file).then(function (image) {
      var w = image.width, h = image.height;
      var scale = Math.min(1, maxSide / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); }, "image/jpeg", quality);
      });
    });
  }

  window.ZhucunPhotos = { downscale: downscale, MAX_SIDE: MAX_SIDE, QUALITY: QUALITY };
})();
