/**
 * An RGB pixel canvas with just what a line plot needs: thick lines, markers, filled
 * rectangles and text in the 5×7 bitmap font (scaled, horizontal or turned 90°).
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from './bitmap-font.ts';

export type Rgb = readonly [number, number, number];
export type Marker = 'disc' | 'square' | 'diamond' | 'triangle';

export class Raster {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  set(x: number, y: number, color: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const at = (y * this.width + x) * 3;
    this.pixels[at] = color[0];
    this.pixels[at + 1] = color[1];
    this.pixels[at + 2] = color[2];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++)
      for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.set(xx, yy, color);
  }

  /** A line `thickness` pixels wide: a square brush stepped along the longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = (thickness - 1) / 2;
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      this.fillRect(x - half, y - half, thickness, thickness, color);
    }
  }

  marker(shape: Marker, cx: number, cy: number, radius: number, color: Rgb): void {
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const inside =
          shape === 'disc'
            ? dx * dx + dy * dy <= radius * radius + radius
            : shape === 'square'
              ? Math.abs(dx) <= radius - 1 && Math.abs(dy) <= radius - 1
              : shape === 'diamond'
                ? Math.abs(dx) + Math.abs(dy) <= radius
                : dy >= -radius && Math.abs(dx) * 2 <= dy + radius;
        if (inside) this.set(cx + dx, cy + dy, color);
      }
    }
  }

  /** Width in pixels of `text` at `scale` (one pixel column of spacing per glyph). */
  static textWidth(text: string, scale: number): number {
    return text.length * (GLYPH_WIDTH + 1) * scale - scale;
  }

  static textHeight(scale: number): number {
    return GLYPH_HEIGHT * scale;
  }

  /** Text with its top-left corner at (x, y); `vertical` turns it 90° to read bottom to top from (x, y). */
  text(x: number, y: number, text: string, color: Rgb, scale = 2, vertical = false): void {
    for (let i = 0; i < text.length; i++) {
      const offset = i * (GLYPH_WIDTH + 1) * scale;
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!glyphPixel(text[i], gx, gy)) continue;
          if (vertical) this.fillRect(x + gy * scale, y - offset - (gx + 1) * scale, scale, scale, color);
          else this.fillRect(x + offset + gx * scale, y + gy * scale, scale, scale, color);
        }
      }
    }
  }
}
