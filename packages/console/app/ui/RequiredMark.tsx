/**
 * The visual mark of a required field, outside its label so the label stays the field's name;
 * the field itself says `aria-required`.
 */
export function RequiredMark() {
  return (
    <span className="required" aria-hidden="true">
      {' '}
      *
    </span>
  );
}
