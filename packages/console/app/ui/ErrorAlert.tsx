/** An error said to the user (and to screen readers, at once); nothing when there is none. */
export function ErrorAlert({ message }: { message: string | undefined }) {
  return message ? (
    <p className="alert alert-error" role="alert">
      {message}
    </p>
  ) : null;
}
