import QRCode from 'qrcode';

/** A filled rectangle of a QR symbol in module units (one module = 1 × 1). */
export interface QrRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A QR symbol as rectangles: size in modules (without quiet zone) and the dark areas. */
export interface QrVector {
  size: number;
  rects: QrRect[];
}

/**
 * Encodes text as a QR symbol (error correction M, which survives a stamp or a fold) and merges
 * each row's dark modules into runs, so the PDF carries a few hundred vector rectangles instead
 * of a raster image and stays sharp at any print resolution.
 */
export function qrVector(text: string): QrVector {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const rects: QrRect[] = [];
  for (let row = 0; row < modules.size; row++) {
    let start = -1;
    for (let col = 0; col <= modules.size; col++) {
      const dark = col < modules.size && modules.get(row, col) === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        rects.push({ x: start, y: row, width: col - start, height: 1 });
        start = -1;
      }
    }
  }
  return { size: modules.size, rects };
}

/** Draws a QR symbol with its top-left corner at (x, y), `size` points wide, quiet zone excluded. */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = qrVector(text);
  const module = size / qr.size;
  doc.save();
  for (const r of qr.rects) doc.rect(x + r.x * module, y + r.y * module, r.width * module, r.height * module);
  doc.fillColor('#000000').fill();
  doc.restore();
}
