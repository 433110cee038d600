/**
 * @module popup/download — saves a text file from the page (a Blob behind an `<a download>`), and
 * copies text to the clipboard. No extension permission is needed for either.
 */

/**
 * Offers `text` as a file named `name`.
 * @param type the MIME type ("application/json", "text/plain")
 */
export function saveTextFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start the download after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; resolves false when the clipboard is not available. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
