/**
 * What a drawing is, judged by its first bytes (never by its name or the client's word).
 * DXF (ASCII) starts, after optional whitespace or a UTF-8 BOM, with group code 0 and `SECTION`, or with
 * a `999` comment; binary DXF has a fixed sentinel; PDF, PNG and JPEG have magic numbers.
 */
import type { FileKind } from "@cad-kiosk/schema";

/** How many leading bytes `sniff` needs (fewer when the whole file is shorter). */
export const SNIFF_BYTES = 256;

const BINARY_DXF = bytes("AutoCAD Binary DXF\r\n\x1a\x00");
const PDF = bytes("%PDF-");
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ASCII_DXF = /^(?:\xef\xbb\xbf)?\s*(?:0[ \t]*\r?\n[ \t]*SECTION[ \t]*(?:\r?\n|$)|999[ \t]*\r?\n)/;

function bytes(s: string): number[] {
  return [...s].map((ch) => ch.charCodeAt(0));
}

const startsWith = (head: Uint8Array, magic: number[]) =>
  head.length >= magic.length && magic.every((b, i) => head[i] === b);

/** The kind of file `head` (its first SNIFF_BYTES, or all of it) begins, or null if none we accept. */
export function sniff(head: Uint8Array): FileKind | null {
  if (startsWith(head, BINARY_DXF)) return "dxf-binary";
  if (startsWith(head, PDF)) return "pdf";
  if (startsWith(head, PNG)) return "png";
  if (startsWith(head, JPEG)) return "jpeg";
  let latin1 = "";
  for (const b of head.subarray(0, SNIFF_BYTES)) latin1 += String.fromCharCode(b);
  return ASCII_DXF.test(latin1) ? "dxf" : null;
}

export const CONTENT_TYPES: Record<FileKind, string> = {
  dxf: "image/vnd.dxf",
  "dxf-binary": "image/vnd.dxf",
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
};
