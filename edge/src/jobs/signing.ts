import { base64url } from "../lib/ids.ts";

/**
 * Time-limited download URLs for kiosks: `sig` = HMAC-SHA256(URL_SIGNING_KEY, "<modelId>\n<exp>"),
 * base64url. Verification goes through `crypto.subtle.verify`, which compares in constant time.
 */
const enc = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const message = (modelId: string, exp: number) => enc.encode(`${modelId}\n${exp}`);

export async function signDownload(secret: string, modelId: string, exp: number): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), message(modelId, exp));
  return base64url(new Uint8Array(sig));
}

function fromBase64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** True when `sig` is this key's signature of (modelId, exp) and `exp` (ms) has not passed. */
export async function verifyDownload(
  secret: string | undefined,
  modelId: string,
  expRaw: string | undefined,
  sigRaw: string | undefined,
  now = Date.now(),
): Promise<boolean> {
  if (!secret || !expRaw || !sigRaw || !/^\d{1,16}$/.test(expRaw)) return false;
  const exp = Number(expRaw);
  const sig = fromBase64url(sigRaw);
  if (!sig) return false;
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, message(modelId, exp));
  return valid && exp > now;
}
