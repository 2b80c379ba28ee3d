/** An sRGB colour, channels 0..255. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The everyday colour words describeImage tags images with. */
export type ColorFamily =
  | 'black'
  | 'white'
  | 'gray'
  | 'red'
  | 'orange'
  | 'brown'
  | 'yellow'
  | 'green'
  | 'cyan'
  | 'blue'
  | 'purple'
  | 'pink';

/** Hue in degrees 0..360; saturation, lightness and chroma 0..1. */
export function rgbToHsl({ r, g, b }: Rgb): {
  hue: number;
  saturation: number;
  lightness: number;
  chroma: number;
} {
  const [red, green, blue] = [r / 255, g / 255, b / 255];
  const max = Math.max(red, green, blue);
  const min = Math.min(red, green, blue);
  const chroma = max - min;
  const lightness = (max + min) / 2;
  const saturation = chroma === 0 ? 0 : chroma / (1 - Math.abs(2 * lightness - 1));
  let hue = 0;
  if (chroma > 0) {
    if (max === red) hue = 60 * (((green - blue) / chroma + 6) % 6);
    else if (max === green) hue = 60 * ((blue - red) / chroma + 2);
    else hue = 60 * ((red - green) / chroma + 4);
  }
  return { hue, saturation, lightness, chroma };
}

/**
 * The colour word a person would use for `rgb`, from hue, saturation and lightness bands. Fixed
 * thresholds, not perception research: good enough to tag "mostly blue", not to name paints.
 */
export function colorFamily(rgb: Rgb): ColorFamily {
  const { hue, saturation, lightness, chroma } = rgbToHsl(rgb);
  if (lightness < 0.1) return 'black';
  if (lightness > 0.93) return 'white';
  if (chroma < 0.1 || saturation < 0.15) return 'gray';
  if (hue < 15 || hue >= 345) return 'red';
  if (hue < 45) return lightness < 0.4 ? 'brown' : 'orange';
  if (hue < 70) return lightness < 0.3 ? 'brown' : 'yellow';
  if (hue < 165) return 'green';
  if (hue < 195) return 'cyan';
  if (hue < 255) return 'blue';
  if (hue < 290) return 'purple';
  return 'pink';
}

/** colorFamily with a shade where it helps: 'dark blue', 'light green', 'red'. */
export function colorName(rgb: Rgb): string {
  const family = colorFamily(rgb);
  if (family === 'black' || family === 'white' || family === 'brown') return family;
  const { lightness } = rgbToHsl(rgb);
  if (lightness < 0.3) return `dark ${family}`;
  if (lightness > 0.75) return `light ${family}`;
  return family;
}

/** `#rrggbb`, lowercase. */
export function toHex({ r, g, b }: Rgb): string {
  return `#${[r, g, b].map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}
