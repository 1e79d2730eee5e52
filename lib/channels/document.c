/* channels/document — the proposal as HTML, and the words the documents use in each
 * language.
 *
 * Why HTML comes from the Markdown: the Markdown is the document the proposal agent wrote
 * from the company's template — its prose, in the company's words, and the record the audit
 * chain hashes — so the HTML a customer reads on the buyer's page and the console shows is
 * exactly that text, with its tables as tables (md4c, a well-kept Debian library). The PDF
 * (pdf.c) lays out the same Markdown with md4c's parser and decides itself what Markdown
 * cannot say: where a page ends, which table header to repeat, which footnote belongs on
 * which page; the quote's tables it draws from the stored quote.
 */
#include <string.h>

#include <md4c-html.h>

#include "channels/document.h"

#define MARKDOWN_MAX (4u << 20)

/* ---- words -------------------------------------------------------------------------- */

static const struct dw_doc_words words[] = {
    {
        .lang = "en",
        .proposal_for = "Proposal for %s",
        .proposal = "Proposal",
        .revision = "Quote revision",
        .prepared_for = "Prepared for",
        .solution = "Proposed solution",
        .why = "Why this solution",
        .quote = "Quote",
        .sku = "SKU",
        .item = "Item",
        .qty = "Qty",
        .description = "Description",
        .unit_price = "Unit price",
        .terms_col = "Terms",
        .amount = "Amount",
        .discount = "Discount",
        .net = "Net",
        .one_time = "one-time",
        .per_month = "per month",
        .months = "months",
        .subtotal = "Subtotal",
        .total = "Total",
        .prices_in = "All prices in %s, excluding VAT and sales tax. Items billed monthly are "
                     "priced per unit and month; their amount covers the whole term shown.",
        .valid_until = "This quote is valid until %s.",
        .reference = "Reference: quote revision %d, %s. An order is created from exactly this "
                     "revision.",
        .terms = "Terms",
        .dpa = "Our Data Processing Agreement under Art. 28 GDPR is attached and forms part of "
               "the contract.",
        .export_review = "Delivery is subject to export-control regulations.",
        .page_of = "Page %d of %d",
        .vat_id = "VAT ID",
        .continued = "(continued)",
        .sources = "Sources",
        .acceptance = "Acceptance",
        .sign_name = "Name",
        .sign_title = "Title",
        .sign_date = "Date",
        .sign_signature = "Signature",
    },
    {
        .lang = "de",
        .proposal_for = "Angebot für %s",
        .proposal = "Angebot",
        .revision = "Angebotsversion",
        .prepared_for = "Erstellt für",
        .solution = "Vorgeschlagene Lösung",
        .why = "Warum diese Lösung",
        .quote = "Preise",
        .sku = "Artikel-Nr.",
        .item = "Position",
        .qty = "Menge",
        .description = "Beschreibung",
        .unit_price = "Einzelpreis",
        .terms_col = "Laufzeit",
        .amount = "Betrag",
        .discount = "Rabatt",
        .net = "Netto",
        .one_time = "einmalig",
        .per_month = "pro Monat",
        .months = "Monate",
        .subtotal = "Zwischensumme",
        .total = "Gesamt",
        .prices_in = "Alle Preise in %s, zuzüglich Umsatzsteuer. Monatlich berechnete "
                     "Positionen sind je Einheit und Monat angegeben; ihr Betrag umfasst die "
                     "ganze genannte Laufzeit.",
        .valid_until = "Dieses Angebot ist gültig bis %s.",
        .reference = "Referenz: Angebotsversion %d, %s. Der Auftrag entsteht aus genau dieser "
                     "Version.",
        .terms = "Bedingungen",
        .dpa = "Unser Auftragsverarbeitungsvertrag nach Art. 28 DSGVO liegt bei und ist "
               "Bestandteil des Vertrags.",
        .export_review = "Die Lieferung unterliegt den Exportkontrollvorschriften.",
        .page_of = "Seite %d von %d",
        .vat_id = "USt-IdNr.",
        .continued = "(Fortsetzung)",
        .sources = "Quellen",
        .acceptance = "Annahme",
        .sign_name = "Name",
        .sign_title = "Funktion",
        .sign_date = "Datum",
        .sign_signature = "Unterschrift",
    },
    {
        .lang = "fr",
        .proposal_for = "Proposition pour %s",
        .proposal = "Proposition",
        .revision = "Révision du devis",
        .prepared_for = "Préparée pour",
        .solution = "Solution proposée",
        .why = "Pourquoi cette solution",
        .quote = "Devis",
        .sku = "Réf.",
        .item = "Article",
        .qty = "Qté",
        .description = "Description",
        .unit_price = "Prix unitaire",
        .terms_col = "Conditions",
        .amount = "Montant",
        .discount = "Remise",
        .net = "Net",
        .one_time = "unique",
        .per_month = "par mois",
        .months = "mois",
        .subtotal = "Sous-total",
        .total = "Total",
        .prices_in = "Tous les prix en %s, hors TVA. Les articles facturés mensuellement sont "
                     "indiqués par unité et par mois ; leur montant couvre toute la durée "
                     "indiquée.",
        .valid_until = "Ce devis est valable jusqu'au %s.",
        .reference = "Référence : révision %d du devis, %s. La commande est créée à partir de "
                     "cette révision exactement.",
        .terms = "Conditions",
        .dpa = "Notre accord de traitement des données (art. 28 RGPD) est joint et fait partie "
               "du contrat.",
        .export_review = "La livraison est soumise à la réglementation sur le contrôle des "
                         "exportations.",
        .page_of = "Page %d sur %d",
        .vat_id = "N° TVA",
        .continued = "(suite)",
        .sources = "Sources",
        .acceptance = "Acceptation",
        .sign_name = "Nom",
        .sign_title = "Fonction",
        .sign_date = "Date",
        .sign_signature = "Signature",
    },
    {
        .lang = "es",
        .proposal_for = "Propuesta para %s",
        .proposal = "Propuesta",
        .revision = "Revisión del presupuesto",
        .prepared_for = "Preparada para",
        .solution = "Solución propuesta",
        .why = "Por qué esta solución",
        .quote = "Presupuesto",
        .sku = "Ref.",
        .item = "Artículo",
        .qty = "Cant.",
        .description = "Descripción",
        .unit_price = "Precio unitario",
        .terms_col = "Condiciones",
        .amount = "Importe",
        .discount = "Descuento",
        .net = "Neto",
        .one_time = "pago único",
        .per_month = "al mes",
        .months = "meses",
        .subtotal = "Subtotal",
        .total = "Total",
        .prices_in = "Todos los precios en %s, sin IVA. Los artículos mensuales se indican por "
                     "unidad y mes; su importe cubre todo el plazo indicado.",
        .valid_until = "Este presupuesto es válido hasta el %s.",
        .reference = "Referencia: revisión %d del presupuesto, %s. El pedido se crea a partir "
                     "de exactamente esta revisión.",
        .terms = "Condiciones",
        .dpa = "Nuestro acuerdo de tratamiento de datos (art. 28 RGPD) se adjunta y forma "
               "parte del contrato.",
        .export_review = "La entrega está sujeta a la normativa de control de exportaciones.",
        .page_of = "Página %d de %d",
        .vat_id = "NIF-IVA",
        .continued = "(continuación)",
        .sources = "Fuentes",
        .acceptance = "Aceptación",
        .sign_name = "Nombre",
        .sign_title = "Cargo",
        .sign_date = "Fecha",
        .sign_signature = "Firma",
    },
    {
        .lang = "it",
        .proposal_for = "Proposta per %s",
        .proposal = "Proposta",
        .revision = "Revisione del preventivo",
        .prepared_for = "Preparata per",
        .solution = "Soluzione proposta",
        .why = "Perché questa soluzione",
        .quote = "Preventivo",
        .sku = "Codice",
        .item = "Articolo",
        .qty = "Q.tà",
        .description = "Descrizione",
        .unit_price = "Prezzo unitario",
        .terms_col = "Condizioni",
        .amount = "Importo",
        .discount = "Sconto",
        .net = "Netto",
        .one_time = "una tantum",
        .per_month = "al mese",
        .months = "mesi",
        .subtotal = "Subtotale",
        .total = "Totale",
        .prices_in = "Tutti i prezzi in %s, IVA esclusa. Gli articoli mensili sono indicati per "
                     "unità e mese; il loro importo copre l'intera durata indicata.",
        .valid_until = "Questo preventivo è valido fino al %s.",
        .reference = "Riferimento: revisione %d del preventivo, %s. L'ordine è creato "
                     "esattamente da questa revisione.",
        .terms = "Condizioni",
        .dpa = "Il nostro accordo sul trattamento dei dati (art. 28 GDPR) è allegato e fa parte "
               "del contratto.",
        .export_review = "La consegna è soggetta alle norme sul controllo delle esportazioni.",
        .page_of = "Pagina %d di %d",
        .vat_id = "P. IVA",
        .continued = "(segue)",
        .sources = "Fonti",
        .acceptance = "Accettazione",
        .sign_name = "Nome",
        .sign_title = "Ruolo",
        .sign_date = "Data",
        .sign_signature = "Firma",
    },
    {
        .lang = "nl",
        .proposal_for = "Voorstel voor %s",
        .proposal = "Voorstel",
        .revision = "Offerteversie",
        .prepared_for = "Opgesteld voor",
        .solution = "Voorgestelde oplossing",
        .why = "Waarom deze oplossing",
        .quote = "Offerte",
        .sku = "Art.nr.",
        .item = "Artikel",
        .qty = "Aantal",
        .description = "Omschrijving",
        .unit_price = "Stukprijs",
        .terms_col = "Looptijd",
        .amount = "Bedrag",
        .discount = "Korting",
        .net = "Netto",
        .one_time = "eenmalig",
        .per_month = "per maand",
        .months = "maanden",
        .subtotal = "Subtotaal",
        .total = "Totaal",
        .prices_in = "Alle prijzen in %s, exclusief btw. Maandelijks gefactureerde artikelen "
                     "staan per eenheid en maand; hun bedrag dekt de hele genoemde looptijd.",
        .valid_until = "Deze offerte is geldig tot en met %s.",
        .reference = "Referentie: offerteversie %d, %s. De order wordt uit precies deze versie "
                     "gemaakt.",
        .terms = "Voorwaarden",
        .dpa = "Onze verwerkersovereenkomst (art. 28 AVG) is bijgevoegd en maakt deel uit van "
               "het contract.",
        .export_review = "De levering is onderworpen aan exportcontrolevoorschriften.",
        .page_of = "Pagina %d van %d",
        .vat_id = "Btw-nr.",
        .continued = "(vervolg)",
        .sources = "Bronnen",
        .acceptance = "Akkoord",
        .sign_name = "Naam",
        .sign_title = "Functie",
        .sign_date = "Datum",
        .sign_signature = "Handtekening",
    },
};

const struct dw_doc_words *dw_doc_words(const char *lang) {
    for (size_t i = 0; lang && i < DW_ARRAY_SIZE(words); i++)
        if (strcmp(words[i].lang, lang) == 0)
            return &words[i];
    return &words[0];
}

static const struct dw_page_words page_words[] = {
    {
        .lang = "en",
        .intro = "This is the proposal we prepared for you. You can accept it, ask for changes "
                 "or decline it at the end of this page.",
        .nothing = "Nothing can be accepted with this link.",
        .revision = "Quote revision",
        .total = "total",
        .valid_until = "valid until",
        .hash = "Content hash of this revision:",
        .accept_h = "Accept this proposal",
        .name = "Your full name",
        .title = "Your title",
        .agree = "I accept quote revision %d and the terms of this proposal on behalf of my "
                 "organisation. Typing my name is my electronic signature.",
        .accept_b = "Accept and sign",
        .changes_h = "Ask for changes",
        .changes_l = "What should we change?",
        .changes_b = "Send the request",
        .decline_h = "Decline",
        .decline_l = "Why are you declining?",
        .decline_b = "Decline the proposal",
        .accepted_h = "Thank you — quote revision %d is accepted",
        .accepted_p = "Your order %s has been created from exactly this revision. We will send "
                      "you the order confirmation.",
        .declined_h = "Thank you for letting us know",
        .declined_p = "The proposal is declined. Your reason has been passed to our team.",
        .changes_done_h = "Thank you — we have your request",
        .changes_done_p = "Your request has been added to the deal; we will send you a revised "
                          "proposal.",
        .st_revoked = "This link was withdrawn by %s.",
        .st_accepted = "Quote revision %d was accepted on %s.",
        .st_declined = "This proposal was declined; it can no longer be accepted.",
        .st_expired = "This link expired on %s. Ask us for a new one.",
        .st_superseded = "Quote revision %d was replaced by revision %d; this link can no longer "
                         "be used to accept. Ask us for a link to the current proposal.",
        .st_revising = "This proposal is being revised; you will receive a new link.",
        .st_quote_expired = "Quote revision %d was valid until %s. Ask us for a new quote.",
    },
    {
        .lang = "de",
        .intro = "Dies ist das Angebot, das wir für Sie erstellt haben. Am Ende dieser Seite "
                 "können Sie es annehmen, Änderungen erbitten oder es ablehnen.",
        .nothing = "Mit diesem Link kann nichts angenommen werden.",
        .revision = "Angebotsversion",
        .total = "Gesamt",
        .valid_until = "gültig bis",
        .hash = "Inhaltsprüfsumme dieser Version:",
        .accept_h = "Angebot annehmen",
        .name = "Ihr vollständiger Name",
        .title = "Ihre Funktion",
        .agree = "Ich nehme Angebotsversion %d und die Bedingungen dieses Angebots im Namen "
                 "meines Unternehmens an. Die Eingabe meines Namens ist meine elektronische "
                 "Unterschrift.",
        .accept_b = "Annehmen und unterschreiben",
        .changes_h = "Änderungen erbitten",
        .changes_l = "Was sollen wir ändern?",
        .changes_b = "Anfrage senden",
        .decline_h = "Ablehnen",
        .decline_l = "Warum lehnen Sie ab?",
        .decline_b = "Angebot ablehnen",
        .accepted_h = "Vielen Dank — Angebotsversion %d ist angenommen",
        .accepted_p = "Ihr Auftrag %s wurde aus genau dieser Version erstellt. Sie erhalten "
                      "die Auftragsbestätigung.",
        .declined_h = "Vielen Dank für Ihre Rückmeldung",
        .declined_p = "Das Angebot ist abgelehnt. Ihre Begründung haben wir an unser Team "
                      "weitergegeben.",
        .changes_done_h = "Vielen Dank — wir haben Ihre Anfrage",
        .changes_done_p = "Ihre Anfrage ist beim Vorgang vermerkt; Sie erhalten ein überarbeitetes "
                          "Angebot.",
        .st_revoked = "Dieser Link wurde von %s zurückgezogen.",
        .st_accepted = "Angebotsversion %d wurde am %s angenommen.",
        .st_declined = "Dieses Angebot wurde abgelehnt; es kann nicht mehr angenommen werden.",
        .st_expired = "Dieser Link ist am %s abgelaufen. Bitte fordern Sie einen neuen an.",
        .st_superseded = "Angebotsversion %d wurde durch Version %d ersetzt; mit diesem Link kann "
                         "nichts mehr angenommen werden. Bitte fordern Sie einen Link zum "
                         "aktuellen Angebot an.",
        .st_revising = "Dieses Angebot wird überarbeitet; Sie erhalten einen neuen Link.",
        .st_quote_expired = "Angebotsversion %d war bis %s gültig. Bitte fordern Sie ein neues "
                            "Angebot an.",
    },
    {
        .lang = "fr",
        .intro = "Voici la proposition que nous avons préparée pour vous. Vous pouvez l'accepter, "
                 "demander des modifications ou la refuser en bas de cette page.",
        .nothing = "Ce lien ne permet plus d'accepter.",
        .revision = "Révision du devis",
        .total = "total",
        .valid_until = "valable jusqu'au",
        .hash = "Empreinte du contenu de cette révision :",
        .accept_h = "Accepter cette proposition",
        .name = "Votre nom complet",
        .title = "Votre fonction",
        .agree = "J'accepte la révision %d du devis et les conditions de cette proposition au nom "
                 "de mon organisation. La saisie de mon nom vaut signature électronique.",
        .accept_b = "Accepter et signer",
        .changes_h = "Demander des modifications",
        .changes_l = "Que devons-nous modifier ?",
        .changes_b = "Envoyer la demande",
        .decline_h = "Refuser",
        .decline_l = "Pourquoi refusez-vous ?",
        .decline_b = "Refuser la proposition",
        .accepted_h = "Merci — la révision %d du devis est acceptée",
        .accepted_p = "Votre commande %s a été créée à partir de cette révision exactement. Vous "
                      "recevrez la confirmation de commande.",
        .declined_h = "Merci de nous avoir informés",
        .declined_p = "La proposition est refusée. Votre motif a été transmis à notre équipe.",
        .changes_done_h = "Merci — nous avons bien reçu votre demande",
        .changes_done_p = "Votre demande a été ajoutée au dossier ; vous recevrez une proposition "
                          "révisée.",
        .st_revoked = "Ce lien a été retiré par %s.",
        .st_accepted = "La révision %d du devis a été acceptée le %s.",
        .st_declined = "Cette proposition a été refusée ; elle ne peut plus être acceptée.",
        .st_expired = "Ce lien a expiré le %s. Demandez-nous-en un nouveau.",
        .st_superseded = "La révision %d du devis a été remplacée par la révision %d ; ce lien ne "
                         "permet plus d'accepter. Demandez-nous un lien vers la proposition "
                         "actuelle.",
        .st_revising = "Cette proposition est en cours de révision ; vous recevrez un nouveau "
                       "lien.",
        .st_quote_expired = "La révision %d du devis était valable jusqu'au %s. Demandez-nous un "
                            "nouveau devis.",
    },
    {
        .lang = "es",
        .intro = "Esta es la propuesta que hemos preparado para usted. Al final de esta página "
                 "puede aceptarla, pedir cambios o rechazarla.",
        .nothing = "Con este enlace ya no se puede aceptar nada.",
        .revision = "Revisión del presupuesto",
        .total = "total",
        .valid_until = "válido hasta",
        .hash = "Huella del contenido de esta revisión:",
        .accept_h = "Aceptar esta propuesta",
        .name = "Su nombre completo",
        .title = "Su cargo",
        .agree = "Acepto la revisión %d del presupuesto y las condiciones de esta propuesta en "
                 "nombre de mi organización. Escribir mi nombre es mi firma electrónica.",
        .accept_b = "Aceptar y firmar",
        .changes_h = "Pedir cambios",
        .changes_l = "¿Qué debemos cambiar?",
        .changes_b = "Enviar la solicitud",
        .decline_h = "Rechazar",
        .decline_l = "¿Por qué la rechaza?",
        .decline_b = "Rechazar la propuesta",
        .accepted_h = "Gracias — la revisión %d del presupuesto está aceptada",
        .accepted_p = "Su pedido %s se ha creado a partir de exactamente esta revisión. Le "
                      "enviaremos la confirmación del pedido.",
        .declined_h = "Gracias por comunicárnoslo",
        .declined_p = "La propuesta está rechazada. Hemos trasladado su motivo a nuestro equipo.",
        .changes_done_h = "Gracias — hemos recibido su solicitud",
        .changes_done_p = "Su solicitud se ha añadido a la oportunidad; le enviaremos una "
                          "propuesta revisada.",
        .st_revoked = "%s ha retirado este enlace.",
        .st_accepted = "La revisión %d del presupuesto se aceptó el %s.",
        .st_declined = "Esta propuesta fue rechazada; ya no se puede aceptar.",
        .st_expired = "Este enlace caducó el %s. Pídanos uno nuevo.",
        .st_superseded = "La revisión %d del presupuesto fue sustituida por la revisión %d; este "
                         "enlace ya no sirve para aceptar. Pídanos un enlace a la propuesta "
                         "actual.",
        .st_revising = "Esta propuesta se está revisando; recibirá un enlace nuevo.",
        .st_quote_expired = "La revisión %d del presupuesto era válida hasta el %s. Pídanos un "
                            "presupuesto nuevo.",
    },
    {
        .lang = "it",
        .intro = "Questa è la proposta che abbiamo preparato per lei. In fondo a questa pagina "
                 "può accettarla, chiedere modifiche o rifiutarla.",
        .nothing = "Con questo link non si può più accettare nulla.",
        .revision = "Revisione del preventivo",
        .total = "totale",
        .valid_until = "valido fino al",
        .hash = "Impronta del contenuto di questa revisione:",
        .accept_h = "Accettare questa proposta",
        .name = "Nome e cognome",
        .title = "Ruolo",
        .agree = "Accetto la revisione %d del preventivo e le condizioni di questa proposta per "
                 "conto della mia organizzazione. Digitare il mio nome vale come firma "
                 "elettronica.",
        .accept_b = "Accetta e firma",
        .changes_h = "Chiedere modifiche",
        .changes_l = "Che cosa dobbiamo cambiare?",
        .changes_b = "Invia la richiesta",
        .decline_h = "Rifiutare",
        .decline_l = "Perché rifiuta?",
        .decline_b = "Rifiuta la proposta",
        .accepted_h = "Grazie — la revisione %d del preventivo è accettata",
        .accepted_p = "Il suo ordine %s è stato creato esattamente da questa revisione. Le "
                      "invieremo la conferma d'ordine.",
        .declined_h = "Grazie per avercelo comunicato",
        .declined_p = "La proposta è rifiutata. Abbiamo inoltrato la sua motivazione al nostro "
                      "team.",
        .changes_done_h = "Grazie — abbiamo ricevuto la sua richiesta",
        .changes_done_p = "La sua richiesta è stata aggiunta alla trattativa; le invieremo una "
                          "proposta rivista.",
        .st_revoked = "Questo link è stato ritirato da %s.",
        .st_accepted = "La revisione %d del preventivo è stata accettata il %s.",
        .st_declined = "Questa proposta è stata rifiutata; non può più essere accettata.",
        .st_expired = "Questo link è scaduto il %s. Ce ne chieda uno nuovo.",
        .st_superseded = "La revisione %d del preventivo è stata sostituita dalla revisione %d; "
                         "questo link non serve più ad accettare. Ci chieda un link alla "
                         "proposta attuale.",
        .st_revising = "Questa proposta è in revisione; riceverà un nuovo link.",
        .st_quote_expired = "La revisione %d del preventivo era valida fino al %s. Ci chieda un "
                            "nuovo preventivo.",
    },
    {
        .lang = "nl",
        .intro = "Dit is het voorstel dat wij voor u hebben opgesteld. Onderaan deze pagina kunt "
                 "u het aanvaarden, om wijzigingen vragen of het afwijzen.",
        .nothing = "Met deze link kan niets meer worden aanvaard.",
        .revision = "Offerteversie",
        .total = "totaal",
        .valid_until = "geldig tot en met",
        .hash = "Inhoudshash van deze versie:",
        .accept_h = "Dit voorstel aanvaarden",
        .name = "Uw volledige naam",
        .title = "Uw functie",
        .agree = "Ik aanvaard offerteversie %d en de voorwaarden van dit voorstel namens mijn "
                 "organisatie. Het invullen van mijn naam is mijn elektronische handtekening.",
        .accept_b = "Aanvaarden en ondertekenen",
        .changes_h = "Om wijzigingen vragen",
        .changes_l = "Wat moeten we wijzigen?",
        .changes_b = "Verzoek versturen",
        .decline_h = "Afwijzen",
        .decline_l = "Waarom wijst u het af?",
        .decline_b = "Voorstel afwijzen",
        .accepted_h = "Dank u — offerteversie %d is aanvaard",
        .accepted_p = "Uw order %s is gemaakt uit precies deze versie. U ontvangt de "
                      "orderbevestiging.",
        .declined_h = "Dank u voor uw bericht",
        .declined_p = "Het voorstel is afgewezen. Uw reden is aan ons team doorgegeven.",
        .changes_done_h = "Dank u — we hebben uw verzoek ontvangen",
        .changes_done_p = "Uw verzoek is aan de deal toegevoegd; u ontvangt een herzien voorstel.",
        .st_revoked = "Deze link is ingetrokken door %s.",
        .st_accepted = "Offerteversie %d is aanvaard op %s.",
        .st_declined = "Dit voorstel is afgewezen; het kan niet meer worden aanvaard.",
        .st_expired = "Deze link is verlopen op %s. Vraag ons om een nieuwe.",
        .st_superseded = "Offerteversie %d is vervangen door versie %d; met deze link kan niet "
                         "meer worden aanvaard. Vraag ons om een link naar het huidige voorstel.",
        .st_revising = "Dit voorstel wordt herzien; u ontvangt een nieuwe link.",
        .st_quote_expired = "Offerteversie %d was geldig tot en met %s. Vraag ons om een nieuwe "
                            "offerte.",
    },
};

const struct dw_page_words *dw_page_words(const char *lang) {
    for (size_t i = 0; lang && i < DW_ARRAY_SIZE(page_words); i++)
        if (strcmp(page_words[i].lang, lang) == 0)
            return &page_words[i];
    return &page_words[0];
}

const char *dw_doc_fill(char *buf, size_t size, const char *tmpl, size_t n,
                        const char *const *args) {
    size_t o = 0, k = 0;
    if (!size)
        return buf;
    for (const char *t = tmpl; *t && o + 1 < size; t++) {
        const char *piece = NULL;
        char one[2] = {*t, 0};
        if (t[0] == '%' && (t[1] == 's' || t[1] == 'd')) {
            piece = k < n && args[k] ? args[k] : "";
            k++;
            t++;
        } else if (t[0] == '%' && t[1] == '%') {
            piece = "%";
            t++;
        } else {
            piece = one;
        }
        size_t len = strlen(piece);
        if (len > size - 1 - o)
            len = size - 1 - o;
        memcpy(buf + o, piece, len);
        o += len;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- HTML --------------------------------------------------------------------------- */

/* Printable: A4 margins, tables that do not split a row and repeat their head, links
 * shown; on a phone the wide quote table scrolls inside its own box. */
const char dw_doc_css[] =
    ":root{color-scheme:light}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:#1b1f24;background:#f4f5f7}"
    ".proposal{max-width:52rem;margin:0 auto;padding:1.5rem 1.25rem;background:#fff}"
    ".proposal h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .8rem}"
    ".proposal h2{font-size:1.2rem;margin:1.8rem 0 .6rem;border-bottom:1px solid #d8dce1;"
    "padding-bottom:.2rem}"
    ".proposal table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem;"
    "display:block;overflow-x:auto}"
    ".proposal th,.proposal td{border:1px solid #d8dce1;padding:.35rem .5rem;vertical-align:top}"
    ".proposal th{background:#eef1f4;text-align:left}"
    ".proposal td[align=right],.proposal th[align=right]{text-align:right;white-space:nowrap}"
    ".proposal code{font-size:.8em;word-break:break-all}"
    ".proposal blockquote{margin:.6rem 0;padding:.4rem .8rem;border-left:4px solid #c9a227;"
    "background:#fbf7e9}"
    ".proposal sup.fn{font-size:.7em}"
    "@media print{body{background:#fff;font-size:11pt}"
    ".proposal{max-width:none;padding:0}"
    ".proposal table{display:table;overflow:visible}"
    ".proposal tr{break-inside:avoid}.proposal thead{display:table-header-group}"
    ".proposal h2{break-after:avoid}"
    "@page{size:A4;margin:18mm 16mm}}";

struct out {
    struct dw_buf b;
    int r;
};

static void collect(const MD_CHAR *text, MD_SIZE size, void *arg) {
    struct out *o = arg;
    if (o->r >= 0)
        o->r = dw_buf_append(&o->b, text, size);
}

/* `[^12]` (a footnote marker md4c leaves as text) as a superscript; everything else as
 * md4c wrote it (already escaped). */
static int footnotes(struct dw_buf *out, const char *s, size_t n) {
    int r = 0;
    for (size_t i = 0; i < n && r >= 0;) {
        if (i + 3 < n && s[i] == '[' && s[i + 1] == '^' && s[i + 2] >= '0' && s[i + 2] <= '9') {
            size_t k = i + 2;
            while (k < n && k - i < 8 && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k < n && s[k] == ']') {
                r = dw_buf_printf(out, "<sup class=\"fn\">[%.*s]</sup>", (int)(k - i - 2),
                                  s + i + 2);
                i = k + 1;
                continue;
            }
        }
        r = dw_buf_append(out, s + i, 1);
        i++;
    }
    return r;
}

static int escape_into(struct dw_buf *b, const char *s) {
    int r = 0;
    for (; s && *s && r >= 0; s++) {
        switch (*s) {
        case '&':
            r = dw_buf_puts(b, "&amp;");
            break;
        case '<':
            r = dw_buf_puts(b, "&lt;");
            break;
        case '>':
            r = dw_buf_puts(b, "&gt;");
            break;
        case '"':
            r = dw_buf_puts(b, "&quot;");
            break;
        default:
            r = dw_buf_append(b, s, 1);
        }
    }
    return r;
}

int dw_doc_html(const char *markdown, size_t len, bool page, const char *lang, const char *title,
                char **ret, size_t *ret_len, struct dw_error *err) {
    if (len > MARKDOWN_MAX)
        return dw_error_set(err, -DW_ETOOBIG, "the proposal's Markdown is over %u bytes",
                            MARKDOWN_MAX);
    struct out md = {.r = 0};
    dw_buf_init(&md.b, 2 * MARKDOWN_MAX + 65536);
    unsigned flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    if (md_html(markdown, (MD_SIZE)len, collect, &md, flags, 0) != 0 || md.r < 0) {
        dw_buf_release(&md.b);
        return dw_error_set(err, md.r < 0 ? md.r : -DW_EINTERNAL,
                            "the proposal's Markdown could not be turned into HTML");
    }
    struct dw_buf b;
    dw_buf_init(&b, 2 * MARKDOWN_MAX + 131072);
    int r = 0;
    if (page) {
        const char *l = lang && strlen(lang) == 2 ? lang : "en";
        r = dw_buf_printf(&b,
                          "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, "
                          "initial-scale=1\">\n<title>",
                          l);
        if (r >= 0)
            r = escape_into(&b, title ? title : "Proposal");
        if (r >= 0)
            r = dw_buf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n", dw_doc_css);
    }
    if (r >= 0)
        r = dw_buf_puts(&b, "<article class=\"proposal\">\n");
    if (r >= 0)
        r = footnotes(&b, md.b.data ? md.b.data : "", md.b.len);
    if (r >= 0)
        r = dw_buf_puts(&b, "</article>\n");
    if (r >= 0 && page)
        r = dw_buf_puts(&b, "</body>\n</html>\n");
    dw_buf_release(&md.b);
    if (r < 0) {
        dw_buf_release(&b);
        return dw_error_set(err, r, "the proposal's HTML is too large");
    }
    *ret_len = b.len;
    *ret = dw_buf_steal(&b);
    return 0;
}
