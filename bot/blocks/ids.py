"""Callback and action IDs shared by the views that send them and the listeners that receive them.

A button works the same wherever it is shown (a message, a DM, the App Home), so every listener is
keyed on these names and nothing else.
"""

COMMAND = "/ambassador"

# Log a contribution
LOG_MODAL = "log_contribution"
LOG_OPEN = "contribution_log_open"

# Membership
APPLY_MODAL = "application_submit"
APPLY_OPEN = "application_open"
APPROVE = "application_approve"
REJECT = "application_reject"
REJECT_MODAL = "application_reject_reason"
RENEW = "term_renew"

# Reminders
SNOOZE = "reminders_snooze"
RESUME = "reminders_resume"

# App Home
EDIT_CONTRIBUTION = "contribution_edit"
DELETE_CONTRIBUTION = "contribution_delete"
EDIT_MODAL = "contribution_edit_submit"

# Benefits
BENEFIT_OPEN = "benefit_request_open"
BENEFIT_SELECT = "benefit_select"
BENEFIT_MODAL = "benefit_request_submit"
BENEFIT_APPROVE = "benefit_approve"
BENEFIT_DECLINE = "benefit_decline"
BENEFIT_DECLINE_MODAL = "benefit_decline_reason"
BENEFIT_FULFIL = "benefit_fulfil"
BENEFIT_FULFIL_MODAL = "benefit_fulfil_submit"
BENEFIT_CANCEL = "benefit_cancel"
BENEFIT_SHIPPING = "benefit_shipping"

# Pauses
PAUSE_OPEN = "membership_pause_open"
PAUSE_MODAL = "membership_pause_submit"
PAUSE_RESUME = "membership_pause_resume"

# Leaving and coming back
STEP_DOWN = "membership_step_down"
REJOIN_OPEN = "membership_rejoin_open"

# Emeritus proposals the TSC decides
PROPOSAL_EMERITUS = "proposal_emeritus"
PROPOSAL_KEEP = "proposal_keep"
PROPOSAL_MORE_DAYS = "proposal_more_days"
PROPOSAL_CONFIRM_ALL = "proposal_confirm_all"

# Impact: logging from a message, the log form's type and link, and how an upcoming talk went
LOG_SHORTCUT = "contribution_log_from_message"
TALK_OUTCOME_OPEN = "talk_outcome_open"
TALK_OUTCOME_MODAL = "talk_outcome_submit"

# The TSC's review of contributions (CONTRIBUTION_REVIEW=tsc)
REVIEW_VERIFY = "contribution_review_verify"
REVIEW_NEEDS_INFO = "contribution_review_needs_info"
REVIEW_NOT_COUNTED = "contribution_review_not_counted"
REVIEW_NOTE_MODAL = "contribution_review_note"
