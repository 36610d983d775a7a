// Loads the contact's view and runs the card's actions, telling the user how each went.
// Shared by the record tab and the sidebar so both behave the same.

import { useCallback, useEffect, useRef, useState } from 'react';
import { loadContactView, sendCardAction } from '../lib/api.ts';
import type { ContactAction, ContactView } from '../lib/types.ts';
import type { CardActions } from './card-props.ts';

export type CardState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; view: ContactView };

export interface ContactViewControls {
  state: CardState;
  /** which action is running (e.g. "qualify:par_1"), to disable buttons meanwhile */
  busy: string | null;
  /** reloads, optionally switching campaign; a failed switch keeps the current view */
  reload: (campaignId?: string) => Promise<void>;
  /** runs an action; true when it succeeded */
  run: (key: string, action: ContactAction, success: string) => Promise<boolean>;
  copyLink: (link: string) => Promise<void>;
}

const failure = (error: unknown) => (error instanceof Error && error.message ? error.message : 'Something went wrong.');

export function useContactView(contactId: string, actions: CardActions): ContactViewControls {
  const [state, setState] = useState<CardState>({ status: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const campaignRef = useRef<string | undefined>(undefined);
  // Only the newest load may set the state (campaign picks can overlap).
  const loadSeq = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  // Read through a ref so a new actions object from the host never re-triggers the load effect.
  const actionsRef = useRef(actions);
  actionsRef.current = actions;

  const reload = useCallback(
    async (campaignId?: string) => {
      const seq = ++loadSeq.current;
      const wanted = campaignId ?? campaignRef.current;
      const hadView = stateRef.current.status === 'ready';
      if (hadView) setBusy('load');
      else setState({ status: 'loading' });
      try {
        const view = await loadContactView(contactId, wanted);
        if (seq !== loadSeq.current) return;
        campaignRef.current = view.campaign?.id ?? wanted;
        setState({ status: 'ready', view });
      } catch (error) {
        if (seq !== loadSeq.current) return;
        if (hadView) actionsRef.current.addAlert({ type: 'danger', title: 'Couldn’t load referrals', message: failure(error) });
        else setState({ status: 'error', message: failure(error) });
      } finally {
        if (seq === loadSeq.current) setBusy(null);
      }
    },
    [contactId],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  const run = useCallback(
    async (key: string, action: ContactAction, success: string) => {
      setBusy(key);
      try {
        const next = await sendCardAction(contactId, action);
        loadSeq.current += 1; // a load still in flight is older than this answer
        campaignRef.current = next.campaign?.id ?? campaignRef.current;
        // The notice describes this action: it goes into the alert, not onto the card.
        setState({ status: 'ready', view: { ...next, notice: null } });
        const notice = next.notice;
        actionsRef.current.addAlert({ type: notice?.type ?? 'success', message: notice?.message ?? success });
        // The server wrote the contact's referral properties before answering; show them.
        if (notice?.type !== 'danger') actionsRef.current.refreshObjectProperties();
        return notice?.type !== 'danger';
      } catch (error) {
        actionsRef.current.addAlert({ type: 'danger', title: 'Action failed', message: failure(error) });
        return false;
      } finally {
        setBusy(null);
      }
    },
    [contactId],
  );

  const copyLink = useCallback(
    async (link: string) => {
      try {
        await actionsRef.current.copyTextToClipboard(link);
        actionsRef.current.addAlert({ type: 'success', message: 'Referral link copied.' });
      } catch {
        actionsRef.current.addAlert({ type: 'danger', message: 'Couldn’t copy the link; select it and copy it by hand.' });
      }
    },
    [],
  );

  return { state, busy, reload, run, copyLink };
}
