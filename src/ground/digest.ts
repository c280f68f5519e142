/** A short digest for names that must not reveal what they name (username hashes, device ids). */

/** SHA-256 (Web Crypto, so any runtime) of `text`, the first 16 bytes in hex: 32 hex digits. */
export async function sha256Hex128(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  let hex = ''
  for (const byte of new Uint8Array(digest).subarray(0, 16)) {
    hex += byte.toString(16).padStart(2, '0')
  }
  return hex
}
