// The document page's PDF viewer (templates/documents/_pdf_viewer.html), on the vendored PDF.js.
//
// PDF.js itself (half a megabyte) is imported only once the page is shown, so the page's own
// markup and scripts stay small. Pages are laid out as placeholders of the right size and drawn
// into canvases only when they come near the visible area; thumbnails likewise. Without
// JavaScript, or when PDF.js cannot read the file, the file links of the section remain.
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 4;
const THUMB_WIDTH = 72; // CSS px
const MARGIN = "600px 0px"; // how far ahead of the visible area pages are drawn

function el(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

class Viewer {
  constructor(section, pdfjs) {
    this.section = section;
    this.pdfjs = pdfjs;
    this.pagesBox = section.querySelector(".pdf-pages");
    this.thumbsBox = section.querySelector(".pdf-thumbs");
    this.status = section.querySelector(".pdf-status");
    this.zoomLabel = section.querySelector("[data-zoom-label]");
    this.openLink = section.querySelector("[data-open]");
    this.downloadLink = section.querySelector("[data-download]");
    this.zoom = 1; // relative to the width of the pages box ("vừa khổ")
    this.document = null;
    this.loading = null;
    this.lastWidth = 0;
    section.querySelector(".pdf-toolbar").hidden = false;
    section.querySelector("[data-zoom-in]").addEventListener("click", () => this.setZoom(this.zoom * 1.25));
    section.querySelector("[data-zoom-out]").addEventListener("click", () => this.setZoom(this.zoom / 1.25));
    section.querySelector("[data-zoom-fit]").addEventListener("click", () => this.setZoom(1));
    for (const link of section.querySelectorAll("a[data-pdf-src]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        this.open(link);
      });
    }
    let pending = 0;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        if (this.document && this.pagesBox.clientWidth !== this.lastWidth) this.layout();
      }, 200);
    });
    const first = section.querySelector("a[data-pdf-src]");
    if (first) this.open(first);
  }

  say(text) {
    this.status.textContent = text;
  }

  async open(link) {
    for (const other of this.section.querySelectorAll("a[data-pdf-src]")) {
      other.removeAttribute("aria-current");
    }
    link.setAttribute("aria-current", "true");
    this.openLink.href = link.getAttribute("href");
    this.downloadLink.href = link.dataset.download || link.getAttribute("href");
    this.say("Đang tải văn bản…");
    const previous = this.loading;
    this.document = null;
    this.loading = null;
    if (previous) await previous.destroy(); // its document and worker with it
    const loading = this.pdfjs.getDocument({ url: link.dataset.pdfSrc, isEvalSupported: false });
    this.loading = loading;
    try {
      const opened = await loading.promise;
      if (loading !== this.loading) return; // another file was chosen meanwhile
      this.document = opened;
    } catch (error) {
      if (loading !== this.loading) return;
      this.pagesBox.replaceChildren();
      this.thumbsBox.replaceChildren();
      this.say("Không hiển thị được tệp trong trang. Vui lòng mở hoặc tải tệp về bằng liên kết bên trên.");
      return;
    }
    this.sizes = [];
    for (let number = 1; number <= this.document.numPages; number += 1) {
      const page = await this.document.getPage(number);
      const viewport = page.getViewport({ scale: 1 });
      this.sizes.push({ width: viewport.width, height: viewport.height });
    }
    this.say(`${this.document.numPages} trang`);
    this.build();
    this.layout();
  }

  build() {
    this.pagesBox.replaceChildren();
    this.thumbsBox.replaceChildren();
    this.pageObserver?.disconnect();
    this.thumbObserver?.disconnect();
    this.pageObserver = new IntersectionObserver((entries) => this.draw(entries, false),
      { root: this.pagesBox, rootMargin: MARGIN });
    this.thumbObserver = new IntersectionObserver((entries) => this.draw(entries, true),
      { root: this.thumbsBox, rootMargin: "200px" });
    this.pages = [];
    this.sizes.forEach((size, index) => {
      const number = index + 1;
      const holder = el("div", { class: "pdf-page", "data-page": String(number) });
      const canvas = el("canvas", { role: "img", "aria-label": `Trang ${number}` });
      holder.append(canvas);
      this.pagesBox.append(holder);
      const thumb = el("button", { type: "button", class: "pdf-thumb", "data-page": String(number),
        "aria-label": `Đến trang ${number}` });
      const small = el("canvas", { "aria-hidden": "true" });
      small.width = THUMB_WIDTH;
      small.height = Math.round(THUMB_WIDTH * size.height / size.width);
      thumb.append(small, el("span", {}, String(number)));
      thumb.addEventListener("click", () => {
        this.pagesBox.scrollTo({ top: holder.offsetTop - this.pagesBox.offsetTop, behavior: "smooth" });
        this.thumbsBox.querySelector("[aria-current]")?.removeAttribute("aria-current");
        thumb.setAttribute("aria-current", "true");
      });
      this.thumbsBox.append(thumb);
      this.pages.push({ holder, canvas, thumb, small, drawn: 0, thumbDrawn: false });
      this.thumbObserver.observe(thumb);
    });
  }

  layout() {
    this.lastWidth = this.pagesBox.clientWidth;
    const room = Math.max(this.lastWidth - 16, 100); // the page's own margin inside the box
    this.zoomLabel.textContent = `${Math.round(this.zoom * 100)}%`;
    this.pages.forEach((page, index) => {
      const size = this.sizes[index];
      const width = room * this.zoom;
      page.cssScale = width / size.width;
      page.holder.style.width = `${Math.floor(width)}px`;
      page.holder.style.height = `${Math.floor(size.height * page.cssScale)}px`;
      page.drawn = 0; // drawn again at the new size when next seen
      this.pageObserver.unobserve(page.holder);
      this.pageObserver.observe(page.holder);
    });
  }

  setZoom(value) {
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, value));
    if (this.document) this.layout();
  }

  async draw(entries, thumbnails) {
    for (const entry of entries) {
      if (!entry.isIntersecting || !this.document) continue;
      const number = Number(entry.target.dataset.page);
      const page = this.pages[number - 1];
      if (thumbnails) {
        if (page.thumbDrawn) continue;
        page.thumbDrawn = true;
        await this.render(number, page.small, THUMB_WIDTH / this.sizes[number - 1].width, 1);
      } else {
        const scale = page.cssScale;
        if (page.drawn === scale) continue;
        page.drawn = scale;
        await this.render(number, page.canvas, scale, window.devicePixelRatio || 1, () => page.drawn === scale);
      }
    }
  }

  // ``current``: whether this drawing is still wanted when it ends (a zoom meanwhile starts another).
  async render(number, canvas, scale, ratio, current = () => true) {
    const source = this.document;
    try {
      const page = await source.getPage(number);
      const viewport = page.getViewport({ scale: scale * ratio });
      const target = canvas.width === Math.floor(viewport.width) ? canvas : document.createElement("canvas");
      target.width = Math.floor(viewport.width);
      target.height = Math.floor(viewport.height);
      await page.render({ canvas: target, canvasContext: target.getContext("2d"), viewport }).promise;
      if (target !== canvas && source === this.document && current()) {
        // Swapped only once drawn, so a zoom never shows an empty page.
        canvas.width = target.width;
        canvas.height = target.height;
        canvas.getContext("2d").drawImage(target, 0, 0);
      }
      canvas.dataset.rendered = "true";
    } catch (error) {
      if (source === this.document) this.say(`Không vẽ được trang ${number}.`);
    }
  }
}

async function start() {
  const sections = document.querySelectorAll("[data-pdf-viewer]");
  if (!sections.length || !("IntersectionObserver" in window)) return;
  const first = sections[0];
  let pdfjs;
  try {
    pdfjs = await import(first.dataset.pdfjs);
  } catch (error) {
    for (const section of sections) {
      section.querySelector(".pdf-status").textContent = "Trình duyệt không hiển thị được văn bản trong trang; vui lòng mở tệp.";
    }
    return;
  }
  pdfjs.GlobalWorkerOptions.workerSrc = first.dataset.pdfjsWorker;
  for (const section of sections) new Viewer(section, pdfjs);
}

start();
