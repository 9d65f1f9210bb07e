import type { MouseEvent, ReactNode } from 'react';
import { navigate } from './router.js';

/** A link between the console's pages: a real `<a href>` (keyboard, new tab), followed without a reload. */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow} className={className}>
      {children}
    </a>
  );
}
