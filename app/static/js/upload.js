// Photos for beelden: scale down on the phone, then upload over HTTP with progress.
// A 12-megapixel photo becomes a ~2-megapixel JPEG before it crosses a slow connection.

const MAX_EDGE = 2048;
const QUALITY = 0.85;

// Decode (applying the EXIF orientation) and re-encode at most MAX_EDGE pixels on the long side.
export async function shrink(file) {
  if (!("createImageBitmap" in window)) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file; // let the server explain what is wrong with it
  }
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.type === "image/jpeg" && file.size < 1_500_000) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  return blob || file;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function newCid() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "photo-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Upload a beeld. onProgress(fraction) while sending. Resolves with the ack, rejects with
// {code, message}. The cid makes a retry after a dropped connection apply once.
// onBehalfOf: a tafelhulp photographs a paper card for a person without a phone they added.
export function uploadBeeld({ workshopId, blob, caption, cid = newCid(), onProgress = () => {}, onBehalfOf = null }) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("photo", blob, "photo.jpg");
    form.append("caption", caption);
    form.append("cid", cid);
    if (onBehalfOf) form.append("on_behalf_of", String(onBehalfOf));
    const request = new XMLHttpRequest(); // fetch() cannot report upload progress
    request.open("POST", `/api/workshops/${workshopId}/beelden`);
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    request.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status >= 200 && request.status < 300) resolve(body);
      else reject({ code: body.code || String(request.status), message: body.message || body.detail || request.statusText, cid });
    });
    request.addEventListener("error", () => reject({ code: "network", message: "network", cid }));
    request.send(form);
  });
}
