/*
 * A page's brand colours as CSS custom properties (docs/status-pages.md, "Branding"). Only
 * '#rrggbb' values are used (the API checks them; anything else stored is ignored), and every text
 * colour meets WCAG AA (4.5:1): text on a coloured background is white or near-black, whichever
 * contrasts more, and a brand colour too light for links on white is darkened until it is readable.
 */

const HEX = /^#[0-9a-f]{6}$/i;
const DARK_TEXT = '#1f2328';
const WHITE = '#ffffff';
const AA = 4.5;

type Rgb = [number, number, number];

function rgb(hex: string): Rgb {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance. */
function luminance(color: string): number {
  const [r, g, b] = rgb(color).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on the background. */
function textOn(background: string): string {
  return contrast(WHITE, background) >= contrast(DARK_TEXT, background) ? WHITE : DARK_TEXT;
}

/** The colour darkened (mixed with black) until it reads on white at 4.5:1. */
function readableOnWhite(color: string): string {
  const base = rgb(color);
  for (let k = 1; k >= 0; k -= 0.05) {
    const candidate = hex(base.map((c) => c * k) as Rgb);
    if (contrast(candidate, WHITE) >= AA) return candidate;
  }
  return '#000000';
}

/** The page's `:root` custom properties, or '' when it sets no colour. */
export function themeCss(page: { brand_color: string; header_color: string }): string {
  const vars: string[] = [];
  if (HEX.test(page.brand_color)) {
    const brand = page.brand_color.toLowerCase();
    vars.push(`--brand:${brand}`, `--on-brand:${textOn(brand)}`, `--link:${readableOnWhite(brand)}`);
  }
  if (HEX.test(page.header_color)) {
    const head = page.header_color.toLowerCase();
    vars.push(`--head:${head}`, `--on-head:${textOn(head)}`);
  }
  return vars.length > 0 ? `:root{${vars.join(';')}}` : '';
}
