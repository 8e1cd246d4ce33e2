/**
 * Every Slack identifier the bot owns: slash command, callback ids, block ids and
 * action ids. Listeners, Block Kit builders and tests import them from here so a
 * rename happens in one place.
 */
export const COMMAND = '/bitbucket-token';

export const CALLBACK = {
  requestModal: 'token_request',
  rotatedModal: 'token_rotated',
  recordModal: 'token_record',
  rejectModal: 'approval_reject',
  narrowModal: 'approval_narrow',
  /** A modal that only explains why the user cannot act (no submit). */
  approvalRefused: 'approval_refused',
  /** The scope advisor, pushed on top of the request modal. */
  advisorModal: 'scope_advisor',
  /** App Home: edit a token's co-owners and team channel. */
  teamModal: 'token_team',
  /** A token found by the organization sync: its owner says its scopes (Atlassian does not). */
  scopesModal: 'token_scopes',
} as const;

/** The scopes input of the "say its scopes" modal. */
export const SCOPES_BLOCK = 'said_scopes';
export const SCOPES_ACTION = 'said_scopes_select';

/** The co-owners and team channel inputs of the team modal (App Home). */
export const TEAM_BLOCK = { coOwners: 'team_co_owners', channel: 'team_channel' } as const;
export const TEAM_ACTION = { coOwners: 'team_co_owners_select', channel: 'team_channel_select' } as const;

/** The "Already rotated" modal: the new expiry date, and which "Stored in" places were updated. */
export const ROTATED_BLOCK = { expiry: 'new_expiry', places: 'rotated_places' } as const;
export const ROTATED_ACTION = { expiry: 'new_expiry_date', places: 'rotated_places_checked' } as const;

/** Block ids of the request modal; validation errors are keyed by these. */
export const REQUEST_BLOCK = {
  preset: 'preset',
  name: 'token_name',
  expiry: 'expiry',
  scopes: 'scopes',
  workspace: 'workspace',
  purpose: 'purpose',
  places: 'stored_in',
  coOwners: 'co_owners',
  teamChannel: 'team_channel_id',
  policyNotice: 'policy_notice',
  /** The actions block holding the "Help me choose scopes" button. */
  advisor: 'scope_advisor_actions',
} as const;

/** Action ids inside the request modal (one input element per block). */
export const REQUEST_ACTION = {
  preset: 'preset_select',
  name: 'name_input',
  expiry: 'expiry_date',
  scopes: 'scope_select',
  workspace: 'workspace_input',
  purpose: 'purpose_input',
  places: 'stored_in_input',
  coOwners: 'co_owners_select',
  teamChannel: 'team_channel_id_select',
  /** "Help me choose scopes": pushes the scope advisor. */
  openAdvisor: 'open_scope_advisor',
} as const;

/**
 * The scope advisor modal: one checkboxes input per capability group (block id = prefix +
 * group index, all with the same action id), and the live section of minimal scopes.
 */
export const ADVISOR_BLOCK = {
  groupPrefix: 'advisor_group_',
  intro: 'advisor_intro',
  result: 'advisor_result',
} as const;
export const ADVISOR_ACTION = { capabilities: 'advisor_capabilities' } as const;

/** Buttons on messages. Their `value` carries a record id, validated on receipt. */
export const ACTION = {
  recordToken: 'record_token',
  reminderRenew: 'reminder_renew',
  reminderRotated: 'reminder_rotated',
  reminderRevoke: 'reminder_revoke',
  reminderSnooze: 'reminder_snooze',
  reminderAdopt: 'reminder_adopt',
  /** Reminder of a token whose scopes are unknown (organization sync): say them (optional). */
  reminderScopes: 'reminder_scopes',
  /** App Home: open the request modal. */
  homeNewRequest: 'home_new_request',
  /** App Home: open the modal that records an existing token. */
  homeRecordExisting: 'home_record_existing',
  /** App Home: open the co-owners and team channel modal of the token in `value`. */
  homeEditTeam: 'home_edit_team',
  /** App Home: DM the viewer their calendar feed address (to copy it on a phone). */
  calendarSendLink: 'calendar_send_link',
  /** App Home: give the viewer a new calendar feed address; the old one stops working. */
  calendarReset: 'calendar_reset',
  /** App Home: a new calendar feed address for the team channel in `value`. */
  calendarResetChannel: 'calendar_reset_channel',
  /** App Home (admins, organization sync on): run the Atlassian organization sync now. */
  orgSyncNow: 'org_sync_now',
  approve: 'approval_approve',
  approveNarrowed: 'approval_approve_narrowed',
  reject: 'approval_reject',
  cancelRequest: 'request_cancel',
  requestAgain: 'request_again',
} as const;

export const BLOCK = {
  checklistActions: 'checklist_actions',
  reminderActions: 'reminder_actions',
  homeActions: 'home_actions',
  calendarActions: 'calendar_actions',
  orgSyncActions: 'org_sync_actions',
  approvalActions: 'approval_actions',
  requesterActions: 'requester_actions',
} as const;

/** Inputs of the approvers' modals (block id and action id). */
export const APPROVAL_INPUT = {
  reasonBlock: 'reject_reason',
  reasonAction: 'reject_reason_input',
  scopesBlock: 'narrow_scopes',
  scopesAction: 'narrow_scopes_select',
} as const;

/** Block ids of the "record an existing token" modal; validation errors are keyed by these. */
export const RECORD_BLOCK = {
  name: 'record_name',
  scopes: 'record_scopes',
  expiry: 'record_expiry',
  workspace: 'record_workspace',
  places: 'record_stored_in',
  coOwners: 'record_co_owners',
  teamChannel: 'record_team_channel',
} as const;

/** Action ids inside the record modal (one input element per block). */
export const RECORD_ACTION = {
  name: 'record_name_input',
  scopes: 'record_scope_select',
  expiry: 'record_expiry_date',
  workspace: 'record_workspace_input',
  places: 'record_stored_in_input',
  coOwners: 'record_co_owners_select',
  teamChannel: 'record_team_channel_select',
} as const;
