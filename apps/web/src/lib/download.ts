/** Saves text as a file through a temporary link (works for Blob URLs in every current browser). */
export function downloadText(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers start reading the Blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads a same-origin URL the server answers as an attachment, without leaving the page. */
export function downloadUrl(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = ''; // the server's Content-Disposition names the file
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
