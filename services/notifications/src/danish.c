/*
 * Danish wording of the values letters show: dates, times, channels, target
 * groups, offer types, reasons. Codes the table does not know (rule data
 * can add offer types and campaign themes) are shown readably, never
 * refused.
 */
#include <stdio.h>
#include <string.h>

#include "jc/timeutil.h"
#include "notifications.h"

typedef struct word {
        const char *code;
        const char *text;
} word;

static const char *lookup(const word *table, const char *code, const char *fallback)
{
        if (!code)
                return fallback;
        for (; table->code; table++)
                if (strcmp(table->code, code) == 0)
                        return table->text;
        return fallback ? fallback : code;
}

static const char *const weekdays[] = {"", "mandag", "tirsdag", "onsdag", "torsdag",
                                       "fredag", "lørdag", "søndag"};
static const char *const months[] = {"", "januar", "februar", "marts", "april", "maj", "juni",
                                     "juli", "august", "september", "oktober", "november",
                                     "december"};

void notif_da_date(jc_date d, char *out, size_t outlen)
{
        snprintf(out, outlen, "%d. %s %d", d.day, months[d.month], d.year);
}

void notif_da_long_date(jc_date d, char *out, size_t outlen)
{
        snprintf(out, outlen, "%s den %d. %s %d", weekdays[jc_date_weekday(d)], d.day,
                 months[d.month], d.year);
}

int notif_da_date_time(const char *rfc3339, char *date, size_t datelen, char *hhmm, size_t hhmmlen,
                       jc_date *local_date)
{
        int64_t t;
        jc_date d;
        int minute;

        if (!rfc3339 || jc_time_parse_rfc3339(rfc3339, &t) != 0)
                return -1;
        jc_time_copenhagen_local(t, &d, &minute);
        if (date)
                notif_da_long_date(d, date, datelen);
        if (hhmm)
                snprintf(hhmm, hhmmlen, "%02d:%02d", minute / 60, minute % 60);
        if (local_date)
                *local_date = d;
        return 0;
}

const char *notif_da_channel(const char *channel)
{
        static const word t[] = {{"in_person", "personligt fremmøde"},
                                 {"phone", "telefonsamtale"},
                                 {"video", "videosamtale"},
                                 {NULL, NULL}};

        return lookup(t, channel, "samtale");
}

/* Where, when the event names no location. */
const char *notif_da_place(const char *channel)
{
        static const word t[] = {
            {"in_person", "Jobcentret"},
            {"phone", "Vi ringer til dig på det telefonnummer, vi har registreret"},
            {"video", "Du får et link til videomødet i en separat besked"},
            {NULL, NULL}};

        return lookup(t, channel, "Jobcentret");
}

const char *notif_da_target_group(const char *group)
{
        static const word t[] = {
            {"a-dagpenge", "dagpenge"},
            {"kontanthjaelp-jobparat", "kontanthjælp (jobparat)"},
            {"kontanthjaelp-aktivitetsparat", "kontanthjælp (aktivitetsparat)"},
            {"uddannelseshjaelp-uddannelsesparat", "uddannelseshjælp (uddannelsesparat)"},
            {"uddannelseshjaelp-aktivitetsparat", "uddannelseshjælp (aktivitetsparat)"},
            {"sygedagpenge-beskaeftiget", "sygedagpenge"},
            {"sygedagpenge-ledig", "sygedagpenge"},
            {"jobafklaring", "jobafklaringsforløb"},
            {"ressourceforloeb", "ressourceforløb"},
            {"ledighedsydelse", "ledighedsydelse"},
            {"revalidering", "revalidering"},
            {"selvforsoergelse-hjemrejse", "selvforsørgelses- og hjemrejseydelse"},
            {"ung-under-18", "indsatsen for unge under 18 år"},
            {NULL, NULL}};

        return lookup(t, group, NULL);
}

const char *notif_da_offer_type(const char *code)
{
        static const word t[] = {
            {"virksomhedspraktik", "Virksomhedspraktik"},
            {"loentilskud-privat", "Løntilskud hos en privat arbejdsgiver"},
            {"loentilskud-offentlig", "Løntilskud hos en offentlig arbejdsgiver"},
            {"nytteindsats", "Nytteindsats"},
            {"straksaktivering", "Straksaktivering"},
            {"jobklub", "Jobklub"},
            {"amu", "AMU-kursus"},
            {"erhvervsuddannelse", "Erhvervsuddannelse"},
            {"jobrettet-uddannelse-6-uger", "Seks ugers jobrettet uddannelse"},
            {"regional-uddannelsespulje", "Uddannelse fra den regionale uddannelsespulje"},
            {"danskundervisning", "Danskundervisning"},
            {"mentor", "Mentorstøtte"},
            {"smaajob", "Småjob"},
            {"fastholdelsesforloeb", "Fastholdelsesforløb"},
            {"mestringsforloeb", "Mestringsforløb"},
            {NULL, NULL}};

        return lookup(t, code, NULL);
}

const char *notif_da_cancel_reason(const char *reason)
{
        static const word t[] = {
            {"citizen_request", "Samtalen er aflyst efter dit ønske."},
            {"caseworker_unavailable", "Samtalen er aflyst, fordi din sagsbehandler er forhindret."},
            {"other", "Samtalen er aflyst."},
            {NULL, NULL}};

        return lookup(t, reason, "Samtalen er aflyst.");
}

const char *notif_da_obligation_kind(const char *kind)
{
        static const word t[] = {{"meeting", "samtale"},
                                 {"first_contact", "første opfølgning"},
                                 {"reassessment", "revurdering"},
                                 {"youth_contact", "kontakt med den unge"},
                                 {NULL, NULL}};

        return lookup(t, kind, NULL);
}

const char *notif_da_theme(const char *theme)
{
        static const word t[] = {{"udlandsophold", "ophold i udlandet"},
                                 {"uoplyst-arbejde", "arbejde, der ikke er oplyst"},
                                 {"samlivsforhold", "dit samlivsforhold"},
                                 {"adresse", "din adresse"},
                                 {NULL, NULL}};

        return lookup(t, theme, NULL);
}

const char *notif_da_basis(const char *basis)
{
        static const word t[] = {
            {"meeting_no_show", "Du udeblev fra en samtale uden lovlig grund"},
            {"offer_attendance_missed", "Du udeblev fra dit tilbud uden lovlig grund"},
            {"availability", "Vi har vurderet, at du ikke har stået til rådighed"},
            {NULL, NULL}};

        return lookup(t, basis, NULL);
}

const char *notif_da_akasse_reason(const char *reason)
{
        static const word t[] = {
            {"no_show_without_lawful_reason", "Udeblivelse fra samtale uden lovlig grund"},
            {"offer_absence_without_lawful_reason", "Udeblivelse fra tilbud uden lovlig grund"},
            {"availability_doubt", "Tvivl om rådighed"},
            {NULL, NULL}};

        return lookup(t, reason, NULL);
}

const char *notif_da_sanction_rate(const char *kind)
{
        static const word t[] = {{"sats-1", "sanktionssats 1"},
                                 {"sats-2", "sanktionssats 2"},
                                 {"sats-3", "sanktionssats 3"},
                                 {"sats-4", "sanktionssats 4"},
                                 {NULL, NULL}};

        return lookup(t, kind, NULL);
}
