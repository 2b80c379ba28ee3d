import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';
import { hrefOf, parseRoute, type Route } from './routes';

interface NavigateOptions {
  /** Replace the current history entry rather than add one. */
  replace?: boolean;
  /** Leave even if a page asked to confirm leaving (it has just saved, say). */
  force?: boolean;
}

interface Navigation {
  route: Route;
  navigate: (route: Route, options?: NavigateOptions) => void;
  /**
   * While set, following a link first asks the user this question (the editor sets it while it
   * has unsaved changes); undefined clears it.
   */
  setLeaveQuestion: (question: string | undefined) => void;
}

const NavigationContext = createContext<Navigation | undefined>(undefined);

/** History-API routing for the console's few pages. */
export function NavigationProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname));

  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const leaveQuestion = useRef<string | undefined>(undefined);
  const setLeaveQuestion = useCallback((question: string | undefined) => {
    leaveQuestion.current = question;
  }, []);

  const navigate = useCallback((next: Route, options: NavigateOptions = {}) => {
    const question = leaveQuestion.current;
    if (question !== undefined && !options.force && !window.confirm(question)) return;
    leaveQuestion.current = undefined;
    const href = hrefOf(next);
    if (options.replace) window.history.replaceState(null, '', href);
    else window.history.pushState(null, '', href);
    setRoute(next);
    window.scrollTo(0, 0);
  }, []);

  return (
    <NavigationContext.Provider value={{ route, navigate, setLeaveQuestion }}>
      {children}
    </NavigationContext.Provider>
  );
}

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (navigation === undefined) throw new Error('useNavigation outside NavigationProvider');
  return navigation;
}

/** A link to a console page: a real `<a href>` (open in a new tab works), routed in place. */
export function Link({
  to,
  children,
  ...rest
}: { to: Route; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate } = useNavigation();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={hrefOf(to)} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
