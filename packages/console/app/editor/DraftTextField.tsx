import { useEffect, useState, type Ref } from 'react';
import type { JsonValue } from '@weft/core';

function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A text box for a value that is stored parsed (a number, JSON, a string): it keeps what the
 * user typed while it means the stored value, and shows the stored value again when that changes
 * from elsewhere (a chip, the JSON tab), so typing is never reformatted under the cursor.
 */
export function DraftTextField({
  id,
  value,
  format,
  parse,
  onChange,
  multiline,
  rows,
  inputRef,
  onFocus,
  describedBy,
  required,
  list,
  inputMode,
  className,
}: {
  id: string;
  value: JsonValue | undefined;
  format: (value: JsonValue | undefined) => string;
  parse: (text: string) => JsonValue | undefined;
  onChange: (value: JsonValue | undefined) => void;
  multiline?: boolean;
  rows?: number;
  inputRef?: Ref<HTMLTextAreaElement & HTMLInputElement>;
  onFocus?: () => void;
  describedBy?: string | undefined;
  required?: boolean;
  list?: string;
  inputMode?: 'decimal' | 'text';
  className?: string;
}) {
  const [text, setText] = useState(() => format(value));
  useEffect(() => {
    setText((current) => (sameValue(parse(current), value) ? current : format(value)));
    // Re-synchronise only when the stored value changes; format and parse are fixed per field.
  }, [value]);

  const common = {
    id,
    value: text,
    ref: inputRef,
    onFocus,
    'aria-describedby': describedBy,
    'aria-required': required,
    className,
    onChange: (event: { target: { value: string } }) => {
      setText(event.target.value);
      onChange(parse(event.target.value));
    },
  };
  return multiline ? (
    <textarea {...common} rows={rows ?? 2} spellCheck={false} />
  ) : (
    <input {...common} type="text" list={list} inputMode={inputMode} spellCheck={false} />
  );
}
