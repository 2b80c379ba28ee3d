import { colorFamily, colorName, rgbToHsl, toHex } from './color-names';

const hex = (value: string) => ({
  r: parseInt(value.slice(1, 3), 16),
  g: parseInt(value.slice(3, 5), 16),
  b: parseInt(value.slice(5, 7), 16),
});

describe('colorFamily', () => {
  it.each([
    ['#ff0000', 'red'],
    ['#ff8800', 'orange'],
    ['#7a4a1c', 'brown'],
    ['#ffe600', 'yellow'],
    ['#22aa44', 'green'],
    ['#00cccc', 'cyan'],
    ['#1f3a5f', 'blue'],
    ['#7b2fbe', 'purple'],
    ['#ff69b4', 'pink'],
    ['#808080', 'gray'],
    ['#7a7272', 'gray'],
    ['#050505', 'black'],
    ['#fafafa', 'white'],
  ])('names %s %s', (color, family) => {
    expect(colorFamily(hex(color))).toBe(family);
  });
});

describe('colorName', () => {
  it('adds a shade for very dark and very light colours', () => {
    expect(colorName(hex('#1f3a5f'))).toBe('dark blue');
    expect(colorName(hex('#9bb7ff'))).toBe('light blue');
    expect(colorName(hex('#ff0000'))).toBe('red');
    expect(colorName(hex('#000000'))).toBe('black');
  });
});

describe('rgbToHsl and toHex', () => {
  it('converts the primaries', () => {
    expect(rgbToHsl(hex('#00ff00'))).toEqual({
      hue: 120,
      saturation: 1,
      lightness: 0.5,
      chroma: 1,
    });
    expect(rgbToHsl(hex('#0000ff')).hue).toBe(240);
    expect(toHex({ r: 31, g: 58, b: 95 })).toBe('#1f3a5f');
  });
});
