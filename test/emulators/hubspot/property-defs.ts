import type { ObjectKind, PropertyDef, PropertyGroupDef, PropertyOption } from './types.ts';

// The HubSpot-defined contact and deal properties a fresh portal has (a representative subset:
// everything Refcard reads or writes plus the usual neighbours), with HubSpot's flags.

type Seed = [name: string, label: string, type: string, fieldType: string, group: string, flags?: SeedFlags];
interface SeedFlags {
  formField?: boolean;
  hidden?: boolean;
  readOnly?: boolean;
  calculated?: boolean;
  unique?: boolean;
  options?: string[];
  referencedObjectType?: string;
  externalOptions?: boolean;
  showCurrencySymbol?: boolean;
}

const opts = (values: string[]): string[] => values;

const CONTACT_GROUPS: [string, string][] = [
  ['contactinformation', 'Contact information'],
  ['emailinformation', 'Email information'],
  ['conversioninformation', 'Conversion information'],
  ['sales_properties', 'Sales properties'],
  ['analyticsinformation', 'Web analytics history'],
];

const CONTACT_PROPS: Seed[] = [
  ['email', 'Email', 'string', 'text', 'contactinformation', { formField: true }],
  ['firstname', 'First Name', 'string', 'text', 'contactinformation', { formField: true }],
  ['lastname', 'Last Name', 'string', 'text', 'contactinformation', { formField: true }],
  ['phone', 'Phone Number', 'string', 'phonenumber', 'contactinformation', { formField: true }],
  ['mobilephone', 'Mobile Phone Number', 'string', 'phonenumber', 'contactinformation', { formField: true }],
  ['company', 'Company Name', 'string', 'text', 'contactinformation', { formField: true }],
  ['website', 'Website URL', 'string', 'text', 'contactinformation', { formField: true }],
  ['jobtitle', 'Job Title', 'string', 'text', 'contactinformation', { formField: true }],
  ['address', 'Street Address', 'string', 'text', 'contactinformation', { formField: true }],
  ['city', 'City', 'string', 'text', 'contactinformation', { formField: true }],
  ['state', 'State/Region', 'string', 'text', 'contactinformation', { formField: true }],
  ['zip', 'Postal Code', 'string', 'text', 'contactinformation', { formField: true }],
  ['country', 'Country/Region', 'string', 'text', 'contactinformation', { formField: true }],
  ['message', 'Message', 'string', 'textarea', 'contactinformation', { formField: true }],
  ['industry', 'Industry', 'string', 'text', 'contactinformation', { formField: true }],
  ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', 'contactinformation', {
    formField: true,
    options: opts(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other']),
  }],
  ['hs_lead_status', 'Lead Status', 'enumeration', 'radio', 'sales_properties', {
    formField: true,
    options: opts(['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING']),
  }],
  ['hubspot_owner_id', 'Contact owner', 'enumeration', 'select', 'sales_properties', { referencedObjectType: 'OWNER', externalOptions: true }],
  ['hs_language', 'Preferred language', 'enumeration', 'select', 'contactinformation', { formField: true, options: opts(['en', 'de', 'fr', 'es', 'nl']) }],
  ['createdate', 'Create Date', 'datetime', 'date', 'contactinformation'],
  ['lastmodifieddate', 'Last Modified Date', 'datetime', 'date', 'contactinformation', { readOnly: true }],
  ['hs_object_id', 'Record ID', 'number', 'number', 'contactinformation', { readOnly: true }],
  ['hs_email_domain', 'Email Domain', 'string', 'text', 'contactinformation', { readOnly: true, calculated: true }],
  ['hs_merged_object_ids', 'Merged Contact IDs', 'enumeration', 'checkbox', 'contactinformation', { readOnly: true, hidden: true }],
  ['num_associated_deals', 'Associated Deals', 'number', 'number', 'sales_properties', { readOnly: true, calculated: true }],
  ['hs_analytics_source', 'Original Source', 'enumeration', 'select', 'analyticsinformation', {
    readOnly: true,
    options: opts(['ORGANIC_SEARCH', 'PAID_SEARCH', 'EMAIL_MARKETING', 'SOCIAL_MEDIA', 'REFERRALS', 'OTHER_CAMPAIGNS', 'DIRECT_TRAFFIC', 'OFFLINE']),
  }],
  ['hs_email_optout', 'Unsubscribed from all email', 'bool', 'booleancheckbox', 'emailinformation', { readOnly: true, options: opts(['true', 'false']) }],
  ['recent_conversion_date', 'Recent Conversion Date', 'datetime', 'date', 'conversioninformation', { readOnly: true }],
];

const DEAL_GROUPS: [string, string][] = [
  ['dealinformation', 'Deal information'],
  ['deal_activity', 'Deal activity'],
  ['deal_revenue', 'Deal revenue'],
];

const DEAL_PROPS: Seed[] = [
  ['dealname', 'Deal Name', 'string', 'text', 'dealinformation'],
  ['amount', 'Amount', 'number', 'number', 'dealinformation', { showCurrencySymbol: true }],
  // dealstage and pipeline options come from the portal's pipelines at read time (properties.ts).
  ['dealstage', 'Deal Stage', 'enumeration', 'radio', 'dealinformation'],
  ['pipeline', 'Pipeline', 'enumeration', 'select', 'dealinformation'],
  ['closedate', 'Close Date', 'datetime', 'date', 'dealinformation'],
  ['createdate', 'Create Date', 'datetime', 'date', 'dealinformation'],
  ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', 'dealinformation', { readOnly: true }],
  ['hs_object_id', 'Record ID', 'number', 'number', 'dealinformation', { readOnly: true }],
  ['hubspot_owner_id', 'Deal owner', 'enumeration', 'select', 'dealinformation', { referencedObjectType: 'OWNER', externalOptions: true }],
  ['dealtype', 'Deal Type', 'enumeration', 'radio', 'dealinformation', { options: opts(['newbusiness', 'existingbusiness']) }],
  ['description', 'Deal Description', 'string', 'textarea', 'dealinformation'],
  ['hs_priority', 'Priority', 'enumeration', 'select', 'dealinformation', { options: opts(['low', 'medium', 'high']) }],
  ['num_associated_contacts', 'Number of Associated Contacts', 'number', 'number', 'deal_activity', { readOnly: true, calculated: true }],
  ['hs_is_closed', 'Is Deal Closed?', 'bool', 'booleancheckbox', 'dealinformation', { readOnly: true, calculated: true, options: opts(['true', 'false']) }],
  ['hs_is_closed_won', 'Is Closed Won', 'bool', 'booleancheckbox', 'dealinformation', { readOnly: true, calculated: true, options: opts(['true', 'false']) }],
  ['hs_closed_amount', 'Closed Amount', 'number', 'number', 'deal_revenue', { readOnly: true, calculated: true, showCurrencySymbol: true }],
];

function toOptions(values: string[] | undefined): PropertyOption[] {
  return (values ?? []).map((value, i) => ({
    label: value === 'true' ? 'Yes' : value === 'false' ? 'No' : value,
    value,
    displayOrder: i,
    hidden: false,
  }));
}

function build(seeds: Seed[], at: number): Map<string, PropertyDef> {
  const map = new Map<string, PropertyDef>();
  seeds.forEach(([name, label, type, fieldType, groupName, f = {}], i) => {
    map.set(name, {
      name, label, type, fieldType, groupName,
      description: '',
      options: toOptions(f.options),
      displayOrder: f.formField ? i : -1,
      hidden: f.hidden ?? false,
      formField: f.formField ?? false,
      hasUniqueValue: f.unique ?? false,
      calculated: f.calculated ?? false,
      externalOptions: f.externalOptions ?? false,
      hubspotDefined: true,
      showCurrencySymbol: f.showCurrencySymbol,
      referencedObjectType: f.referencedObjectType,
      readOnlyValue: f.readOnly ?? false,
      readOnlyDefinition: true,
      archivable: false,
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
  });
  return map;
}

function groups(list: [string, string][]): Map<string, PropertyGroupDef> {
  return new Map(list.map(([name, label], i) => [name, { name, label, displayOrder: i, archived: false, hubspotDefined: true }]));
}

export function defaultSchema(kind: ObjectKind, at: number) {
  return kind === 'contacts'
    ? { properties: build(CONTACT_PROPS, at), groups: groups(CONTACT_GROUPS) }
    : { properties: build(DEAL_PROPS, at), groups: groups(DEAL_GROUPS) };
}

/** Properties returned when a read names none (HubSpot's defaults per object type). */
export const DEFAULT_READ_PROPERTIES: Record<ObjectKind, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
};

/** Always present in reads and search results, whatever was asked for. */
export const ALWAYS_READ: Record<ObjectKind, string[]> = {
  contacts: ['createdate', 'hs_object_id', 'lastmodifieddate'],
  deals: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

export const LAST_MODIFIED: Record<ObjectKind, string> = { contacts: 'lastmodifieddate', deals: 'hs_lastmodifieddate' };

/** Properties matched by a search `query` string. */
export const QUERY_PROPERTIES: Record<ObjectKind, string[]> = {
  contacts: ['email', 'firstname', 'lastname', 'phone', 'company'],
  deals: ['dealname'],
};
