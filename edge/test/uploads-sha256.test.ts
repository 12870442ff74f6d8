import { describe, expect, it } from "vitest";
import { Sha256 } from "../src/uploads/sha256.ts";
import { sniff } from "../src/uploads/sniff.ts";
import { parseChecksum, parseMetadata } from "../src/uploads/tus.ts";

const hex = (b: ArrayBuffer | Uint8Array) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const reference = async (b: Uint8Array) => hex(await crypto.subtle.digest("SHA-256", b));

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

describe("Sha256", () => {
  it("matches WebCrypto on the standard vectors", () => {
    expect(new Sha256().hex()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(new Sha256().update(new TextEncoder().encode("abc")).hex())
      .toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(new Sha256().update(new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex())
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("matches WebCrypto for many sizes around block and padding boundaries", async () => {
    const sizes = [0, 1, 2, 3, 31, 32, 33, 54, 55, 56, 57, 63, 64, 65, 100, 119, 120, 127, 128, 129, 191, 192, 255, 256,
      257, 511, 512, 1000, 1023, 1024, 4095, 4096, 4097, 65535, 65536, 65537, 100_003, 1_048_576 + 17];
    for (const n of sizes) {
      const data = randomBytes(n);
      expect(new Sha256().update(data).hex(), `size ${n}`).toBe(await reference(data));
    }
  });

  it("gives the same digest however the input is split, including through export/import", async () => {
    const data = randomBytes(10_000);
    const want = await reference(data);
    const splits = [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4097, 9_999, 10_000];
    for (const a of splits) {
      for (const b of splits.filter((x) => x >= a)) {
        const h1 = new Sha256().update(data.subarray(0, a));
        const h2 = Sha256.importState(h1.exportState()).update(data.subarray(a, b));
        const h3 = Sha256.importState(h2.exportState()).update(data.subarray(b));
        expect(h3.hex(), `split ${a}/${b}`).toBe(want);
        expect(h3.length).toBe(data.length);
      }
    }
  });

  it("equals WebCrypto on random data fed in uneven chunks, resumed from the exported state each time", async () => {
    // Chunks straddle the 64 KiB input window of the wasm compression function and block boundaries.
    const data = randomBytes(3 * 1024 * 1024 + 4321);
    const want = await reference(data);
    let seed = 7;
    const nextSize = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 300_000) + 1;
    for (let round = 0; round < 3; round++) {
      let h = new Sha256();
      for (let at = 0; at < data.length;) {
        const end = Math.min(data.length, at + nextSize());
        h = Sha256.importState(h.update(data.subarray(at, end)).exportState());
        at = end;
      }
      expect(h.hex(), `round ${round}`).toBe(want);
    }
  });

  it("keeps concurrent hashes apart (they share one wasm instance)", async () => {
    const a = randomBytes(200_000), b = randomBytes(200_003);
    const ha = new Sha256(), hb = new Sha256();
    for (let i = 0; i < b.length; i += 50_000) {
      ha.update(a.subarray(i, i + 50_000));
      hb.update(b.subarray(i, i + 50_000));
    }
    expect(ha.hex()).toBe(await reference(a));
    expect(hb.hex()).toBe(await reference(b));
  });

  it("handles many tiny updates and digest() does not disturb the running state", async () => {
    const data = randomBytes(3000);
    const h = new Sha256();
    for (let i = 0; i < data.length; i += 7) {
      h.update(data.subarray(i, i + 7));
      if (i % 700 === 0) h.digest();
    }
    expect(h.hex()).toBe(await reference(data));
  });

  it("exports a small state and refuses a corrupt one", () => {
    const state = new Sha256().update(randomBytes(100)).exportState();
    expect(state.length).toBe(44 + 36);
    expect(() => Sha256.importState(new Uint8Array(10))).toThrow();
    const bad = state.slice(0, state.length - 1);
    expect(() => Sha256.importState(bad)).toThrow();
  });

  it("is fast enough not to bottleneck uploads (≥ 50 MB/s)", () => {
    const data = randomBytes(16 * 1024 * 1024);
    const h = new Sha256();
    h.update(data.subarray(0, 1 << 20)); // warm up the JIT
    // Timers may be coarse in workerd (Spectre mitigations); only judge when time was measured.
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += 65536) h.update(data.subarray(i, i + 65536));
    h.hex();
    const ms = performance.now() - t0;
    if (ms > 0) {
      const mbps = 16 / (ms / 1000);
      console.log(`Sha256: ${mbps.toFixed(0)} MB/s in workerd`);
      expect(mbps).toBeGreaterThan(50);
    }
  });
});

describe("sniff", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("knows DXF, binary DXF, PDF, PNG and JPEG, and nothing else", () => {
    expect(sniff(enc("  0\nSECTION\n  2\nHEADER\n"))).toBe("dxf");
    expect(sniff(enc("\n\t  0\r\nSECTION\r\n"))).toBe("dxf");
    expect(sniff(new Uint8Array([0xef, 0xbb, 0xbf, ...enc("  0\nSECTION\n")]))).toBe("dxf");
    expect(sniff(enc("999\ncomment\n"))).toBe("dxf");
    expect(sniff(enc("0\nSECTION"))).toBe("dxf");
    expect(sniff(enc("0\nSECTIONS\n"))).toBe(null);
    expect(sniff(enc("10\nSECTION\n"))).toBe(null);
    expect(sniff(new Uint8Array([...enc("AutoCAD Binary DXF\r\n"), 0x1a, 0]))).toBe("dxf-binary");
    expect(sniff(enc("AutoCAD Binary DXF\r\n"))).toBe(null);
    expect(sniff(enc("%PDF-1.4"))).toBe("pdf");
    expect(sniff(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("png");
    expect(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xdb]))).toBe("jpeg");
    expect(sniff(enc("GIF89a"))).toBe(null);
    expect(sniff(new Uint8Array(0))).toBe(null);
  });
});

describe("tus headers", () => {
  it("parses Upload-Metadata and Upload-Checksum strictly", () => {
    const m = parseMetadata(`filename ${btoa("plan.dxf")},empty,sha256 ${btoa("ab")}`);
    expect(m.get("filename")).toBe("plan.dxf");
    expect(m.get("empty")).toBe("");
    expect(() => parseMetadata("a b c")).toThrow();
    expect(() => parseMetadata(`a ${btoa("x")},a ${btoa("y")}`)).toThrow();
    expect(() => parseMetadata("a %%%")).toThrow();
    expect(parseChecksum(`sha1 ${btoa("12345678901234567890")}`)!.digest).toHaveLength(20);
    expect(() => parseChecksum("crc32 AAAA")).toThrow(/not supported/);
    expect(parseChecksum(undefined)).toBeNull();
  });
});
