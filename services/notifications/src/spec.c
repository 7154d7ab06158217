/*
 * Which templates exist, which trigger fills each, who receives it and how
 * the channel is chosen. The placeholders a template may use are exactly
 * its trigger's fields plus the render-time fields of its recipient kind;
 * templates.c checks every template file against this table at start-up.
 */
#include <string.h>

#include "notifications.h"

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

const notif_template_spec notif_specs[] = {
        {"rights_and_duties", "case.opened.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "target_group_text", "start_date")},
        {"meeting_invitation", "meeting.booked.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "meeting_id", "meeting_date", "meeting_time", "end_time", "channel_text",
                "place")},
        {"meeting_changed", "meeting.rescheduled.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "meeting_id", "meeting_date", "meeting_time", "end_time", "channel_text",
                "place", "previous_date", "previous_time")},
        {"meeting_cancelled", "meeting.cancelled.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "meeting_id", "meeting_date", "meeting_time", "channel_text",
                "cancel_reason_text")},
        {"meeting_reminder", NOTIF_REMINDER_TRIGGER, NOTIF_TO_CITIZEN, NOTIF_CLASS_NOTICE,
         FIELDS("case_id", "meeting_id", "meeting_date", "meeting_time", "channel_text", "place")},
        {"no_show_hearing", "meeting.no_show.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "meeting_id", "meeting_date", "meeting_time", "channel_text", "reply_by")},
        {"offer_letter", "offer.assigned.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "offer_name", "planned_start", "planned_end", "hours_per_week")},
        {"caseworker_reminder", "obligation.due_soon.v1", NOTIF_TO_CASEWORKER,
         NOTIF_CLASS_INTERNAL,
         FIELDS("case_id", "caseworker_id", "obligation_text", "due_date", "days_left", "rule")},
        {"sanction_hearing", "sanction.proposed.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "proposal_id", "basis_text", "occurred_on", "rate_text", "amount_text",
                "hearing_deadline")},
        {"sanction_decision_approved", "sanction.decided.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "proposal_id", "basis_text", "rate_text", "amount_text", "reason_text")},
        {"sanction_decision_rejected", "sanction.decided.v1", NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER,
         FIELDS("case_id", "proposal_id", "basis_text", "reason_text")},
        {"akasse_report", "akasse.report_requested.v1", NOTIF_TO_AKASSE, NOTIF_CLASS_AKASSE,
         FIELDS("case_id", "report_id", "akasse", "citizen_ref", "reason_text", "basis_text",
                "occurred_on")},
        {"information_letter", "control.information_requested.v1", NOTIF_TO_CITIZEN,
         NOTIF_CLASS_LETTER, FIELDS("case_id", "campaign_id", "theme_text")},
        {NULL, NULL, NOTIF_TO_CITIZEN, NOTIF_CLASS_LETTER, NULL},
};

const notif_template_spec *notif_spec_find(const char *id)
{
        for (const notif_template_spec *s = notif_specs; s->id; s++)
                if (strcmp(s->id, id) == 0)
                        return s;
        return NULL;
}

const char *const *notif_render_fields(notif_recipient_kind k)
{
        static const char *const citizen[] = {"name", "sender", "letter_date", NULL};
        static const char *const staff[] = {"sender", "letter_date", NULL};

        return k == NOTIF_TO_CASEWORKER ? staff : citizen;
}

const char *notif_recipient_kind_name(notif_recipient_kind k)
{
        switch (k) {
        case NOTIF_TO_CITIZEN: return "citizen";
        case NOTIF_TO_AKASSE: return "akasse";
        case NOTIF_TO_CASEWORKER: return "caseworker";
        }
        return "citizen";
}

int notif_needs_citizen(notif_recipient_kind k)
{
        return k != NOTIF_TO_CASEWORKER;
}
