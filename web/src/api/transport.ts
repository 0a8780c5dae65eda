/**
 * Multipart upload with progress. `fetch` cannot report how much of a request body has been
 * sent, so the page uses XMLHttpRequest for uploads of large GPS logs and shapefiles; the
 * body's progress is split over the files by their sizes, which is what a per-file bar needs
 * (the multipart headers are a few hundred bytes against files of kilobytes to megabytes).
 */
export interface SentResponse {
  status: number;
  statusText: string;
  text: string;
}

/** Share sent of each file, given the bytes of the whole body sent so far. */
export function sharesSent(sizes: readonly number[], loaded: number, total: number): number[] {
  const bodyShare = total > 0 ? Math.min(1, loaded / total) : 1;
  const sum = sizes.reduce((a, b) => a + b, 0);
  let remaining = bodyShare * sum;
  return sizes.map((size) => {
    if (size === 0) return bodyShare >= 1 ? 1 : 0;
    const sent = Math.max(0, Math.min(size, remaining));
    remaining -= sent;
    return sent / size;
  });
}

export function sendWithProgress(
  url: string,
  form: FormData,
  headers: Record<string, string>,
  sizes: readonly number[],
  onProgress: (shares: number[]) => void,
): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(sharesSent(sizes, event.loaded, event.total));
    };
    request.upload.onload = () => onProgress(sizes.map(() => 1));
    request.onload = () => resolve({ status: request.status, statusText: request.statusText, text: request.responseText });
    request.onerror = () => reject(new Error(`The upload to ${url} failed: the server could not be reached.`));
    request.send(form);
  });
}
