// Deal↔contact associations, kept in both directions so either side pages in O(k).
// HubSpot-defined type ids: deal→contact 3, contact→deal 4.

export const DEAL_TO_CONTACT = 3;
export const CONTACT_TO_DEAL = 4;

export class AssociationStore {
  readonly dealToContacts = new Map<number, Set<number>>();
  readonly contactToDeals = new Map<number, Set<number>>();

  /** True when the pair was not associated before. */
  add(dealId: number, contactId: number): boolean {
    const contacts = this.dealToContacts.get(dealId) ?? new Set<number>();
    if (contacts.has(contactId)) return false;
    contacts.add(contactId);
    this.dealToContacts.set(dealId, contacts);
    const deals = this.contactToDeals.get(contactId) ?? new Set<number>();
    deals.add(dealId);
    this.contactToDeals.set(contactId, deals);
    return true;
  }

  remove(dealId: number, contactId: number): boolean {
    const had = this.dealToContacts.get(dealId)?.delete(contactId) ?? false;
    this.contactToDeals.get(contactId)?.delete(dealId);
    return had;
  }

  contactsOf(dealId: number): number[] {
    return [...(this.dealToContacts.get(dealId) ?? [])].sort((a, b) => a - b);
  }

  dealsOf(contactId: number): number[] {
    return [...(this.contactToDeals.get(contactId) ?? [])].sort((a, b) => a - b);
  }

  /** Drops every association of a contact; returns the deals it was associated with. */
  dropContact(contactId: number): number[] {
    const deals = this.dealsOf(contactId);
    for (const d of deals) this.dealToContacts.get(d)?.delete(contactId);
    this.contactToDeals.delete(contactId);
    return deals;
  }

  dropDeal(dealId: number): number[] {
    const contacts = this.contactsOf(dealId);
    for (const c of contacts) this.contactToDeals.get(c)?.delete(dealId);
    this.dealToContacts.delete(dealId);
    return contacts;
  }

  pairs(): [number, number][] {
    const out: [number, number][] = [];
    for (const [deal, contacts] of this.dealToContacts) for (const c of contacts) out.push([deal, c]);
    return out;
  }
}
