/* Screening of customer text: every field a customer controls is read as a model or a person
 * would read it, and words addressed to the system, or claims made to it, are reported with
 * their span in the field as written.
 *
 * Reading happens in two passes over a field, each keeping, for every byte it writes, the
 * byte range of the original it came from, so a match in the read text maps back to the
 * words as the customer wrote them:
 *   1. decode and fold: HTML entities and %XX sequences are decoded; invisible characters
 *      (zero-width, bidirectional controls, soft hyphen) are dropped; look-alike letters
 *      (Cyrillic, Greek, full-width, mathematical alphanumerics) become the Latin letter they
 *      imitate; accents are removed ("é" reads "e", "ß" reads "ss"); ASCII is lower-cased.
 *   2. join and collapse: a run of four or more single letters each separated by one space,
 *      dot or dash ("i g n o r e  a l l") is joined into words (a wider gap separates the
 *      words); digits inside a word that also has letters read as the letters they stand for
 *      (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, @ a, $ s); runs of spaces become one.
 * Base64 blobs of at least 20 characters that decode to readable UTF-8 are read too; their
 * findings span the blob. The markup patterns read the pass-1 text (punctuation kept).
 *
 * The patterns are PCRE2 expressions over the read text, by category and language, each
 * compiled once. The words a pattern can start with (its triggers) are put in one trie, and a
 * read text is walked along it once: a pattern none of whose triggers starts a word is not
 * run, and one that starts with "\\b" and its triggers (or with a lookahead for them and a
 * lookbehind) is compiled anchored and tried only where they do (docs/internals/extraction.md,
 * "Speed"). In a pattern a single space stands for any gap between words and "^^" for the start
 * of a sentence (expand()). They are written against real buyers' wording as well as attacks:
 * "please ignore my previous e-mail" or "our budget is already approved" must not be flagged,
 * so an instruction needs an object that belongs to the system (rules, instructions, the
 * approval), and a claim of agreement needs a price or discount and someone on our side.
 */
#include <pthread.h>
#include <string.h>
#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sodium.h>

#include "engines/screen.h"

/* ---- categories ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    bool command;
} categories[DW_SCREEN_N] = {
#define X(id, n, cmd) [DW_SCREEN_##id] = {n, cmd},
    DW_SCREEN_CATEGORIES(X)
#undef X
};

const char *dw_screen_category_name(enum dw_screen_category c) {
    return (unsigned)c < DW_SCREEN_N ? categories[c].name : "unknown";
}

bool dw_screen_is_command(const char *category) {
    for (size_t i = 0; category && i < DW_SCREEN_N; i++)
        if (strcmp(category, categories[i].name) == 0)
            return categories[i].command;
    return false;
}

/* ---- patterns -------------------------------------------------------------------------- */

struct pattern {
    enum dw_screen_category cat;
    const char *lang;
    const char *re;
};

/* Words a system's rules go by, in each language (objects of "ignore ..."). */
/* The end of a word, also after "%" (where \b is not). */
#define END "(?![a-z0-9\\x{80}-\\x{10ffff}])"

#define EN_RULES                                                                                   \
    "(?:rules?|instructions?|guidelines?|polic(?:y|ies)|prompts?|directions|directives?|"          \
    "guardrails|programming|training|safeguards|restrictions|constraints|checks|approvals?|"       \
    "approval (?:process|steps?|workflow|ladder)|discount "                                        \
    "(?:limits?|bands?|ladder|polic(?:y|ies))|"                                                    \
    "pricing (?:limits?|polic(?:y|ies)))"
#define EN_QUAL                                                                                    \
    "(?:(?:all|any|your|the|of|previous|prior|above|earlier|these|those|every|system|internal|"    \
    "existing|company|standard|pricing|discount|approval|usual|current|such|original|initial|"     \
    "safety|sales|given|preceding|former|old|default) )*"
#define DE_RULES                                                                                   \
    "(?:regeln|anweisungen|vorgaben|richtlinien|instruktionen|befehle|prompts?|freigaben?|"        \
    "genehmigungen|rabattregeln|preisregeln|beschrankungen|grenzen)"
#define DE_QUAL                                                                                    \
    "(?:(?:alle|deine|ihre|die|bisherigen|vorherigen|vorigen|samtliche|obigen|alles|system|"       \
    "internen|eure|diese|jegliche|bestehenden) )*"
#define FR_RULES                                                                                   \
    "(?:regles|instructions|consignes|directives|politiques?|limites|restrictions|validations?)"
#define FR_QUAL                                                                                    \
    "(?:(?:toutes|tous|les|tes|vos|ces|precedentes|anterieures|internes|systeme|de|du|la|le) )*"
#define ES_RULES                                                                                   \
    "(?:reglas|instrucciones|normas|directrices|politicas|limites|restricciones|aprobaciones)"
#define ES_QUAL                                                                                    \
    "(?:(?:todas|todos|las|los|tus|sus|vuestras|estas|anteriores|previas|internas|del|sistema|de)" \
    " )*"
#define IT_RULES "(?:regole|istruzioni|direttive|politiche|norme|limiti|restrizioni|approvazioni)"
#define IT_QUAL                                                                                    \
    "(?:(?:tutte|tutti|le|gli|tue|sue|vostre|queste|precedenti|interne|di|del|sistema) )*"
#define NL_RULES                                                                                   \
    "(?:regels|instructies|richtlijnen|voorschriften|beleid|limieten|beperkingen|goedkeuringen?)"
#define NL_QUAL "(?:(?:alle|je|jouw|uw|de|die|deze|vorige|eerdere|interne|systeem|bestaande|het) )*"
#define PRICE_EN "(?:discount|rebate|price|pricing|special price|\\d+ ?%(?: discount| off)?)"
#define OURS_EN                                                                                    \
    "(?:your|mr|mrs|ms|dr) (?:\\w+ ){0,3}?"                                                        \
    "(?:vp|ceo|cfo|cto|director|manager|boss|colleague|rep|representative|team|head|"              \
    "president|partner|salesperson|sales|account|management|side)?"
#define VERB_AGREED_EN                                                                             \
    "(?:pre ?agreed|pre ?approved|pre ?authori[sz]ed|pre ?negotiated|agreed|approved|promised|"    \
    "confirmed|authori[sz]ed|negotiated|granted|signed off|okayed|ok ?d|cleared|validated)"

static const struct pattern patterns[] = {
    /* -- instructions: commands to the system -- */
    {DW_SCREEN_INSTRUCTION, "en",
     "\\b(?:ignore|ignoring|disregard|forget|bypass|override|overrule|skip|circumvent|"
     "neglect) " EN_QUAL EN_RULES END},
    {DW_SCREEN_INSTRUCTION, "en",
     "\\b(?:ignore|disregard|forget) (?:everything|all|anything) (?:(?:you|that|was|were|"
     "have|been|said|told|written) )*(?:above|before|previously|earlier|so far)" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "(?=(?:approve|accept|grant|authori[sz]e|sign "
     "off|okay|ok))(?<=^^|\\bplease\\x20|\\bjust\\x20|\\bsimply\\x20|\\bnow\\x20|"
     "\\bimmediately\\x20|\\band\\x20|\\bthen\\x20|\\bmust\\x20|\\bshould\\x20|\\bwill\\x20|"
     "\\bshall\\x20|\\bcan\\x20|\\bmay\\x20|\\bauto\\x20)(?:approve|accept|grant|authori[sz]e|sign "
     "off|okay|ok) (?:(?:this|the|"
     "a|an|it|all|every|any|my|our) )?(?:deal|discount|quote|quotes|order|request|price|"
     "pricing|exception|offer|proposal|everything|immediately|automatically|now|it|this|"
     "\\d+ ?%)" END},
    {DW_SCREEN_INSTRUCTION, "en", "\\bauto ?approve" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "(?=(?:set|change|update|raise|increase|lower|make))(?<=^^|\\bplease\\x20|\\bjust\\x20|"
     "\\bnow\\x20|\\band\\x20|\\bthen\\x20|\\bmust\\x20|\\bshould\\x20|\\bwill\\x20)(?:set|change|"
     "update|"
     "raise|increase|lower|make) (?:the |our |my |this )?(?:discount|price|prices|total|stage|"
     "status|deal stage|quote) (?:\\w+ ){0,2}?(?:to|at|=)" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "\\bmark (?:this|the|our|my) (?:deal|quote|lead|order|request) (?:as )?(?:approved|won|"
     "qualified|accepted|signed|closed)" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "\\b(?:skip|bypass|circumvent|avoid|disable|turn off|without) (?:the |any |all |your )?"
     "(?:human |manual |management |legal |manager s )?(?:approval|approvals|review|reviews|"
     "sign off|escalation|checks?)(?: steps?| process)? (?:for|on) (?:this|the|my|our)" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "\\b(?:skip|bypass|circumvent|disable|turn off) (?:the |any |all |your )?(?:human |manual |"
     "legal |management )?(?:approval|approvals|review|escalation|guardrails)" END},
    {DW_SCREEN_INSTRUCTION, "en",
     "\\bdo not (?:ask|escalate|involve|notify|tell) (?:a |any |the "
     ")?(?:human|person|manager|approver|anyone)" END},
    {DW_SCREEN_INSTRUCTION, "de",
     "\\b(?:ignoriere|ignorieren|ignorier|ignoriert|vergiss|vergessen|missachte|missachten|"
     "umgehe|umgehen|uberspringe|uberspringen) (?:sie )?" DE_QUAL DE_RULES END},
    {DW_SCREEN_INSTRUCTION, "de",
     "(?=genehmige)(?<=^^|\\bbitte\\x20|\\bsofort\\x20|\\bund\\x20|\\bjetzt\\x20)genehmige(?:n "
     "sie)? (?:\\w+ ){0,2}?(?:das|den|diesen|"
     "dieses|die|sofort|einen|\\d+|angebot|rabatt|deal|auftrag)" END},
    {DW_SCREEN_INSTRUCTION, "de",
     "\\b(?:setze|setzen sie|andere|andern sie) (?:den |die |das )?(?:rabatt|preis|nachlass|"
     "status) (?:\\w+ ){0,2}?auf" END},
    {DW_SCREEN_INSTRUCTION, "fr",
     "\\b(?:ignore|ignorez|ignorer|oublie|oubliez|oublier|contourne|contournez) " FR_QUAL FR_RULES
         END},
    {DW_SCREEN_INSTRUCTION, "fr",
     "(?=(?:approuve|approuver|valide|validez|accorde|accordez))(?<=^^|\\bet\\x20|\\bpuis\\x20|"
     "\\bveuillez\\x20|\\bmerci\\x20d\\x20)(?:approuve|approuvez|approuver|valide|validez|"
     "accorde|accordez) (?:immediatement |automatiquement |tout de suite )?(?:cette|ce|cet|la|"
     "le|une|un|tout|immediatement|automatiquement)" END},
    {DW_SCREEN_INSTRUCTION, "es",
     "\\b(?:ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidar|omite|omita) " ES_QUAL
         ES_RULES END},
    {DW_SCREEN_INSTRUCTION, "es",
     "(?=(?:aprueba|apruebe|aprobad|aprueben|autoriza|autorice))(?<=^^|\\by\\x20|\\bluego\\x20|"
     "\\bpor\\x20favor\\x20)(?:aprueba|apruebe|aprobad|aprueben|autoriza|autorice) "
     "(?:inmediatamente |automaticamente |ya )?(?:este|esta|el|la|un|una|todo|inmediatamente|"
     "automaticamente)" END},
    {DW_SCREEN_INSTRUCTION, "it",
     "\\b(?:ignora|ignori|ignorate|ignorare|dimentica|dimentichi|dimenticate|aggira) " IT_QUAL
         IT_RULES END},
    {DW_SCREEN_INSTRUCTION, "it",
     "(?=(?:approva|approvi|approvate|autorizza|autorizzi))(?<=^^|\\be\\x20|\\bpoi\\x20|"
     "\\bper\\x20favore\\x20)(?:approva|approvi|approvate|autorizza|autorizzi) "
     "(?:subito |immediatamente |automaticamente )?(?:questo|questa|il|lo|la|uno|una|un|tutto|"
     "subito|immediatamente|automaticamente)" END},
    {DW_SCREEN_INSTRUCTION, "nl",
     "\\b(?:negeer|negeren|vergeet|vergeten|omzeil|omzeilen) " NL_QUAL NL_RULES END},
    {DW_SCREEN_INSTRUCTION, "nl",
     "\\bkeur (?:dit|deze|het|de|een|\\d+|alles|alle) (?:\\w+ ){0,4}?goed" END},
    {DW_SCREEN_INSTRUCTION, "nl",
     "\\b(?:zet|verander) de (?:korting|prijs|status) (?:\\w+ ){0,2}?(?:op|naar)" END},

    /* -- role play: telling the system what it is now -- */
    {DW_SCREEN_ROLE_PLAY, "en",
     "\\byou(?: are| re|re) now (?:in (?:\\w+ )?mode|an? (?:ai|assistant|bot|admin|"
     "administrator|unrestricted|different|new|pricing)|(?:free|unrestricted|allowed|"
     "authori[sz]ed|able|permitted) to|(?:the|my|our) (?:deal desk|approver|admin|administrator|"
     "manager|vp|sales director|system|boss)|dan|my|operating|acting|admin)" END},
    {DW_SCREEN_ROLE_PLAY, "en",
     "\\b(?:admin|administrator|developer|debug|god|maintenance|sudo|root|unrestricted|"
     "jailbreak|dan|super ?user) mode" END},
    {DW_SCREEN_ROLE_PLAY, "en",
     "\\b(?:pretend (?:to be|you are|you re|that you)|act as (?:an? |the |my )?(?:admin|"
     "administrator|system|developer|sales director|manager|vp|root|unrestricted|approver)|"
     "from now on you|role ?play as|jailbreak|switch to (?:admin|developer|debug) mode)" END},
    {DW_SCREEN_ROLE_PLAY, "de",
     "\\b(?:du bist (?:jetzt|nun|ab sofort) (?:ein|eine|im|der|mein|admin)|ab (?:jetzt|sofort) "
     "(?:bist du|ignorierst du)|tu so als|spiel (?:die|eine) rolle|(?:admin|administrator|"
     "entwickler|wartungs)modus|(?:admin|administrator) modus)" END},
    {DW_SCREEN_ROLE_PLAY, "fr",
     "\\b(?:tu es (?:maintenant|desormais) (?:en mode|un|une|l)|vous etes (?:maintenant|"
     "desormais) (?:en mode|un assistant|une ia)|fais semblant|faites semblant|mode "
     "(?:admin|administrateur|developpeur|debug|maintenance))" END},
    {DW_SCREEN_ROLE_PLAY, "es",
     "\\b(?:(?:ahora|a partir de ahora) (?:eres|estas en modo)|eres ahora|finge (?:ser|que)|"
     "modo (?:admin|administrador|desarrollador|depuracion|dios))" END},
    {DW_SCREEN_ROLE_PLAY, "it",
     "\\b(?:(?:ora|adesso|d ora in poi) sei (?:un|una|in modalita|l)|sei ora|fingi di|"
     "modalita (?:admin|amministratore|sviluppatore|debug))" END},
    {DW_SCREEN_ROLE_PLAY, "nl",
     "\\b(?:je bent nu|u bent nu (?:in|een)|vanaf nu (?:ben je|moet je|negeer)|doe alsof|"
     "(?:admin|beheerders|ontwikkelaars)modus|beheerder modus)" END},

    /* -- fake system prompts and words addressed to a machine -- */
    {DW_SCREEN_FAKE_SYSTEM, "any",
     "(?:<\\|?im_start\\|?>|<\\|im_end\\|>|\\[/?inst\\]|<</?sys>>|</?system>|<\\|system\\|>|"
     "<\\|assistant\\|>|\\[/?system\\])"},
    {DW_SCREEN_FAKE_SYSTEM, "en",
     "(?=(?:system|assistant|admin|developer|operator|agent))(?<=^|[\\n(\\[{<>|*#-]|[.!?#*>(\\[{<|-"
     "]\\x20|^\\x20|\\n\\x20)(?:system|assistant|admin|developer|operator|"
     "agent)(?: (?:note|prompt|message|override|instruction|instructions|notice))?\\s*:"},
    {DW_SCREEN_FAKE_SYSTEM, "en",
     "\\b(?:system (?:prompt|message|instructions?|override)|systemprompt|(?:new|updated|"
     "revised) (?:instructions?|directives?|system prompt)|begin (?:system|new) (?:prompt|"
     "instructions)|end of (?:user |customer )?(?:input|message|prompt))" END},
    {DW_SCREEN_FAKE_SYSTEM, "en",
     "\\b(?:(?:note|message|instructions?) (?:to|for) (?:the |any |all )?(?:ai "
     "assistant|ai|assistant|bot|"
     "chatbot|model|llm|gpt|chatgpt|language model|automated system|agent|agents)|(?:dear|hello|"
     "hi|hey|attention) (?:ai|assistant|bot|chatbot|llm|gpt|model|language model)|if you are "
     "an? (?:ai|llm|language model|assistant|bot|automated)|as an? (?:ai|llm|assistant|"
     "language model))" END},
    {DW_SCREEN_FAKE_SYSTEM, "de",
     "\\b(?:(?:hinweis|nachricht|notiz|anweisung) (?:an|fur) (?:den |die |das )?(?:ki|"
     "assistenten|assistent|bot|system|sprachmodell)|(?:liebe|hallo) ki|systemanweisung|"
     "systemnachricht|systemprompt|neue anweisungen)" END},
    {DW_SCREEN_FAKE_SYSTEM, "fr",
     "\\b(?:note (?:a|pour) (?:l )?(?:ia|assistant|intelligence artificielle|robot)|"
     "(?:invite|message|instructions?|consigne) (?:du )?systeme|nouvelles (?:instructions|"
     "consignes)|(?:chere|bonjour) ia)" END},
    {DW_SCREEN_FAKE_SYSTEM, "es",
     "\\b(?:nota (?:para|al|a la) (?:el )?(?:ia|asistente|sistema|bot)|(?:nota|mensaje|"
     "instrucciones|aviso) del sistema|nuevas instrucciones|(?:querida|estimada|hola) "
     "(?:ia|inteligencia artificial))" END},
    {DW_SCREEN_FAKE_SYSTEM, "it",
     "\\b(?:nota per (?:l )?(?:ia|assistente|sistema|bot)|(?:nota|messaggio|istruzioni) di "
     "sistema|nuove istruzioni|(?:cara|ciao) ia)" END},
    {DW_SCREEN_FAKE_SYSTEM, "nl",
     "\\b(?:(?:notitie|bericht|opmerking) (?:voor|aan) (?:de )?(?:ai|assistent|bot|systeem)|"
     "systeembericht|systeeminstructies|nieuwe instructies|beste ai)" END},

    /* -- claims of a prior agreement with us -- */
    {DW_SCREEN_PRIOR_AGREEMENT, "en",
     "\\bas (?:agreed|promised|confirmed|negotiated|approved|arranged) (?:with|by) "
     "(?:you\\b|" OURS_EN ")"},
    {DW_SCREEN_PRIOR_AGREEMENT, "en",
     "\\b" OURS_EN " (?:\\w+ ){0,2}?(?:has |have |had |already |previously )*" VERB_AGREED_EN
     " (?:\\w+ ){0,2}?" PRICE_EN},
    {DW_SCREEN_PRIOR_AGREEMENT, "en",
     "\\b" PRICE_EN " (?:\\w+ ){0,3}?(?:was|were|has been|have been|is|are|had been) "
     "(?:already |previously |verbally |all )?" VERB_AGREED_EN END},
    {DW_SCREEN_PRIOR_AGREEMENT, "en",
     "\\b(?:pre ?agreed|pre ?approved|pre ?negotiated|pre ?authori[sz]ed|we were promised|"
     "(?:you|your \\w+) promised (?:us|me)|verbally (?:agreed|approved|promised))" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "de",
     "\\bwie (?:mit|von) (?:herrn|herr|frau|ihrem|ihrer|ihren|dem|der|ihnen) (?:\\w+ ){0,3}?"
     "(?:vereinbart|besprochen|zugesagt|abgesprochen|genehmigt|versprochen|bestatigt|"
     "ausgehandelt)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "de",
     "\\b(?:rabatt|nachlass|preis|preise|sonderpreis|konditionen|\\d+ ?%) (?:\\w+ ){0,4}?"
     "(?:bereits |schon |vorab )?(?:vereinbart|zugesagt|genehmigt|freigegeben|abgesprochen|"
     "ausgehandelt|versprochen)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "de",
     "\\bihr (?:\\w+ )?(?:vertriebsleiter|chef|geschaftsfuhrer|vp|vertrieb|kollege|manager|"
     "vorstand)\\w* hat (?:\\w+ "
     "){0,4}?(?:zugesagt|genehmigt|freigegeben|versprochen|bestatigt)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "fr",
     "\\b(?:remise|rabais|reduction|prix|tarif|conditions|\\d+ ?%) (?:\\w+ ){0,4}?(?:deja |"
     "prealablement "
     ")?(?:validee?s?|convenue?s?|accordee?s?|approuvee?s?|negociee?s?|promise?s?)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "fr",
     "\\bcomme (?:convenu|promis|valide|negocie) avec (?:votre|vos|ton|m|monsieur|madame|mme)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "fr",
     "\\bvotre (?:directeur|directrice|responsable|commercial|vp|collegue|direction)\\w* "
     "(?:\\w+ ){0,2}?(?:a |nous a )?(?:deja )?(?:approuve|valide|accorde|promis|confirme)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "es",
     "\\b(?:descuento|precio|rebaja|condiciones|\\d+ ?%) (?:\\w+ ){0,4}?(?:ya )?(?:esta |"
     "fue |ha sido )?(?:acordad|aprobad|pactad|prometid|autorizad|negociad)[oa]s?" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "es",
     "\\bcomo (?:acordamos|acordado|se acordo|prometido|pactado) con (?:su|tu|vuestro|el|la)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "es",
     "\\bsu (?:director|directora|gerente|vp|jefe|comercial)\\w* (?:\\w+ ){0,2}?(?:ya )?"
     "(?:aprobo|acordo|prometio|autorizo|confirmo)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "it",
     "\\b(?:sconto|prezzo|condizioni|\\d+ ?%) (?:\\w+ ){0,4}?(?:gia )?(?:e |stato |stata )*"
     "(?:concordat|approvat|pattuit|promess|autorizzat|negoziat)[oaie]" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "it",
     "\\bcome (?:concordato|promesso|pattuito|d accordo) con (?:il |la )?(?:vostro|vostra|"
     "suo|sua|tuo|tua|signor|dott)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "nl",
     "\\b(?:korting|prijs|voorwaarden|\\d+ ?%) (?:\\w+ ){0,4}?(?:al |reeds )?(?:is |zijn |"
     "werd )?(?:afgesproken|goedgekeurd|toegezegd|overeengekomen|beloofd)" END},
    {DW_SCREEN_PRIOR_AGREEMENT, "nl",
     "\\bzoals (?:afgesproken|overeengekomen|beloofd|toegezegd) met (?:uw|je|jouw|de heer|"
     "mevrouw|dhr|mevr)" END},

    /* -- claims of authority over our side, or of a standing right to a price -- */
    {DW_SCREEN_AUTHORITY_CLAIM, "en",
     "\\b(?:on behalf of|in the name of|for and on behalf of) (?:your|you r|the vendor s|the "
     "supplier s) (?:company|firm|organi[sz]ation|business|side|management|sales)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "en",
     "\\bi (?:am|m) (?:your|the vendor s|the supplier s) (?:\\w+ )?(?:admin|administrator|"
     "sales director|vp|manager|ceo|boss|supervisor|owner|developer|approver)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "en",
     "\\bi (?:have|hold) (?:\\w+ )?(?:admin|administrator|root|vp|approval|director|approver) "
     "(?:rights|privileges|access|authority|permissions)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "en",
     "\\bas (?:your|a|an) (?:\\w+ )?(?:partner|reseller|distributor|shareholder|investor|"
     "employee|insider)s?,? (?:we|i) (?:get|are entitled|am entitled|receive|qualify|always "
     "get|have a right|are owed)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "en",
     "\\b(?:we|i) (?:are|am) entitled to (?:a |an |the |our )?(?:\\d+ ?%|discount|special|"
     "partner|reseller|free)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "de",
     "\\b(?:im namen|namens) (?:ihres|ihrer) "
     "(?:unternehmens|firma|geschaftsfuhrung|vertriebs)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "de",
     "\\bals (?:ihr|ihre|ihren) (?:\\w+ )?(?:partner|handler|vertriebspartner|reseller)\\w* "
     "(?:erhalten|bekommen|haben) wir" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "de",
     "\\bich bin (?:ihr|ihre) (?:vorgesetzter|chef|administrator|admin|vertriebsleiter)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "fr",
     "\\b(?:au nom de|pour le compte de) (?:votre|ta) (?:societe|entreprise|direction)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "fr",
     "\\ben tant que (?:votre )?(?:\\w+ )?(?:partenaire|revendeur|distributeur)\\w* (?:\\w+ )?"
     "(?:nous|on) (?:avons droit|beneficions|obtenons|recevons)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "es",
     "\\ben nombre de (?:su|tu|vuestra) (?:empresa|compania|direccion|sociedad)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "es",
     "\\bcomo (?:su |vuestro )?(?:\\w+ )?(?:socio|partner|distribuidor|revendedor)\\w* "
     "(?:tenemos derecho|obtenemos|recibimos|nos corresponde)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "it",
     "\\bper conto (?:della|del) (?:vostra|vostro|sua|tua) (?:azienda|societa|direzione)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "it",
     "\\b(?:in quanto|come) (?:vostro |vostri )?(?:\\w+ )?(?:partner|rivenditore|"
     "distributore)\\w* (?:abbiamo diritto|otteniamo|riceviamo)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "nl",
     "\\bnamens (?:uw|jouw|je) (?:bedrijf|organisatie|directie|onderneming)" END},
    {DW_SCREEN_AUTHORITY_CLAIM, "nl",
     "\\bals (?:uw |jullie )?(?:\\w+ )?(?:partner|reseller|distributeur|wederverkoper)\\w* "
     "(?:krijgen|hebben|ontvangen) (?:we|wij)" END},
};

/* Markup read on the decoded text with punctuation kept. Each needs a '<', "](", a letter
 * and then '=', or "javascript" or "display" and then ':': markup_possible() relies on it. */
static const char *const markup_patterns[] = {
    /* tags that run, load or hide something; an e-mail's ordinary <p> or <div> is not markup */
    "<\\s*/?\\s*(?:script|iframe|object|embed|style|img|svg|form|meta|link|base)\\b[^>]{0,300}>?",
    /* one pattern over two lines: the parentheses say the concatenation is meant */
    ("\\bstyle\\s*=\\s*[\"']?[^\"'>]{0,200}(?:display\\s*:\\s*none|visibility\\s*:\\s*hidden|"
     "font-size\\s*:\\s*0)"),
    "<[a-z]+\\b[^>]{0,300}\\bhidden\\b",
    "\\bon[a-z]{3,12}\\s*=",
    "javascript\\s*:",
    "<!--",
    "display\\s*:\\s*none",
    "!?\\[[^\\]\\n]{1,300}\\]\\(\\s*[^)\\s]{1,500}\\s*\\)",
};
/* In a short field (a name, a company, a title, a subject) Markdown emphasis and headings
 * are markup too: nobody's name is bold. */
static const char *const short_markup_patterns[] = {
    "(?:^|\\s)#{1,6}\\s",
    "\\*\\*[^*]{1,200}\\*\\*",
    "__[^_]{1,200}__",
    "^\\s*>",
};

#define N_PATTERNS DW_ARRAY_SIZE(patterns)
static pcre2_code *codes[N_PATTERNS];
/* Whether codes[i] was compiled anchored (a pattern that starts with "\\b" and a trigger
 * word, or with a lookahead for its trigger words and a lookbehind for what comes before
 * them: it can only match where a word starts with a trigger, and is tried only there). */
static bool anchored[N_PATTERNS];
/* Whether codes[i] is JIT-compiled: then pcre2_jit_match() runs it without pcre2_match()'s
 * checks (the read text is valid UTF-8 by construction). */
static bool jitted[N_PATTERNS];

/* For a pattern without triggers, the bytes a match can start with when PCRE2 knows them
 * and they are few (PCRE2_INFO_FIRSTBITMAP, PCRE2_INFO_FIRSTCODEUNIT): a text holding none
 * of them is not searched, found with memchr() rather than by the match's own scan for them.
 * n_first 0: always searched. */
#define FIRST_MAX 4
static uint8_t first_bytes[N_PATTERNS][FIRST_MAX], n_first[N_PATTERNS];

/* A pattern's triggers: the words it can start with, as prefixes ("authori" for
 * "authori[sz]e"), derived from its leading alternation; a text with none of them as the start
 * of a word cannot match, so the pattern is not run. n 0: always run. */
#define TRIG_MAX 48 /* at most 64: collect_group() keeps a bit a trigger */
static struct {
    const char *p[TRIG_MAX];
    uint8_t len[TRIG_MAX];
    bool whole[TRIG_MAX]; /* a whole word: the pattern goes on with a separator (" ") */
    size_t n;
    /* its number alternatives all start "\\d+ ?%" ("\\d+ %", "\\d+%"): a word of digits is a
     * trigger only when a '%' follows it across spaces and punctuation (percent_after()) */
    bool percent;
    uint8_t n_num, n_pct; /* its alternatives "\\d+..." and "\\d+ ?%..." (derive_triggers()) */
} trig[N_PATTERNS];

/* The patterns whose triggers include "\\d+ ?%" (trig[g].percent), as a set of the trie's
 * (filled by compile_all()): a word of digits without a '%' after it is dropped for all of
 * them at once. */
#define SET_WORDS ((N_PATTERNS + 63) / 64)
static uint64_t percent_set[SET_WORDS];
/* The patterns without triggers (trig[g].n 0), always run (filled by compile_all()). */
static uint64_t untriggered[SET_WORDS];

/* All patterns' triggers in one trie over the bytes a word is made of ([a-z0-9_]), built
 * once: walking it along each word of a read text once finds, for every pattern, the words
 * that start with one of its triggers, instead of looking each trigger up in the text's
 * words. Node 0 is the root; next[] holds a node's children by byte (0: none); accept, when
 * not 0, is 1 + the index of the set of patterns that have the node's path as a trigger. */
#define TRIE_SYMS 38 /* a-z, 0-9, _, and TRIE_SEP */
/* A trigger's gap to its second word ("in the" of "in the name of"): the expanded " ", a run
 * of bytes other than a-z, 0-9 and those of other code points. */
#define TRIE_SEP 37
struct tnode {
    uint16_t next[TRIE_SYMS];
    uint16_t accept;
};
static struct {
    struct tnode *n;
    size_t len, cap;
    uint64_t (*sets)[SET_WORDS];
    uint64_t (*prefix)[SET_WORDS]; /* of sets[k]: the patterns with the path as a prefix; the
                                      others have it as a whole word only */
    size_t n_sets;
    /* The trie as a table trigger_hits() steps through once a byte, without a loop of its own
     * for each word (trie_table()). A state is the offset of its row, DFA_COLS entries, read
     * by dfa_col[] of the byte: a byte outside words goes back to the root (0), a word byte
     * with no child to the dead row (DFA_COLS), which stays there until the word ends. The
     * nodes that accept or have a child by TRIE_SEP (where trigger_hits() has something to do)
     * come last, from the row more_from: one comparison a byte tells them. A NUL goes to the
     * last row, a copy of the root's past more_from: the NUL after a read text stops the walk
     * without a test of the length a byte. node_of[] is the trie node of a row (the root for
     * the last). */
    uint32_t *dfa;
    uint16_t *node_of;
    uint32_t more_from;
} trie;
#define DFA_NUL (TRIE_SYMS)      /* the column of a NUL byte */
#define DFA_COLS (TRIE_SYMS + 1) /* 0 outside words, then 1 + trie_sym(), then DFA_NUL */
static uint8_t dfa_col[256];     /* trie_sym1[] but DFA_NUL for a NUL */

/* 1 + trie_sym(c), 0 for a byte outside words: one load per byte where the trie is walked
 * along a read text (trigger_hits()). Filled by compile_all(). */
static uint8_t trie_sym1[256];

static int trie_sym(unsigned char c) {
    return c >= 'a' && c <= 'z'   ? c - 'a'
           : c >= '0' && c <= '9' ? 26 + (c - '0')
           : c == '_'             ? 36
                                  : -1;
}

/* Skip from p (inside a group, after an alternative's start) to the next '|' of this group
 * (returned, pointing at it) or its closing ')' (pointing at it), or the end. */
static const char *skip_alternative(const char *p) {
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') {
            while (p[1] && *p != ']')
                p++;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (depth-- == 0)
                return p;
        } else if (*p == '|' && depth == 0) {
            return p;
        }
    }
    return p;
}

/* After a trigger word of n letters ending at p in a pattern: when a gap (" ") and a literal
 * word follow ("in the name of"), the length the trigger grows by to take that word in as a
 * prefix (" the"); 0 otherwise. A word that is common on its own ("in", "en", "we") is
 * then a trigger only with the word the pattern wants after it. */
static size_t second_word(const char *p, size_t n) {
    if (p[0] != ' ' || !(p[1] >= 'a' && p[1] <= 'z'))
        return 0;
    const char *q = p + 1;
    while (*q >= 'a' && *q <= 'z')
        q++;
    size_t m = (size_t)(q - (p + 1));
    if (*q == '?' || *q == '*' || *q == '{')
        m--; /* "rules?": the last letter may be absent */
    return m && n + 1 + m <= 255 ? 1 + m : 0;
}

/* Collect the first words of the alternatives of a group starting at p (just after "(?:");
 * *pp is left after its ')'. False when an alternative does not start with a word or with a
 * group that must be there. An alternative that is one word and nothing else is a whole word
 * when the group goes on with a separator: "(?:we|i) (?:are|am)" does not start "is". */
static bool collect_group(size_t i, const char **pp) {
    const char *p = *pp;
    uint64_t ends = 0; /* the triggers that are the whole of their alternative */
    for (;;) {
        if (strncmp(p, "(?:", 3) == 0) {
            p += 3;
            if (!collect_group(i, &p) || *p == '?' || *p == '*' || *p == '{')
                return false; /* an optional group: the word after it could come first */
        } else if (strncmp(p, "\\d+", 3) == 0) {
            static const char digits[] = "0123456789";
            trig[i].n_num++;
            if (strncmp(p, "\\d+ ?%", 6) == 0 || strncmp(p, "\\d+ %", 5) == 0 ||
                strncmp(p, "\\d+%", 4) == 0) /* "30 %", "30 % off": a '%' after the number */
                trig[i].n_pct++;
            for (size_t d = 0; d < 10; d++) { /* a number: any word starting with a digit */
                if (trig[i].n == TRIG_MAX)
                    return false;
                trig[i].p[trig[i].n] = digits + d;
                trig[i].len[trig[i].n++] = 1;
            }
        } else {
            const char *w = p;
            while (*p >= 'a' && *p <= 'z')
                p++;
            size_t n = (size_t)(p - w);
            if (n && (*p == '?' || *p == '*' || *p == '{'))
                n--; /* "approvals?": the last letter may be absent */
            if (!n || n > 255 || trig[i].n == TRIG_MAX)
                return false;
            size_t more = second_word(p, n);
            trig[i].whole[trig[i].n] = p[0] == ' ' && p[1] != '?' && !more;
            if (*p == '|' || *p == ')')
                ends |= (uint64_t)1 << trig[i].n;
            trig[i].p[trig[i].n] = w;
            trig[i].len[trig[i].n++] = (uint8_t)(n + more);
        }
        p = skip_alternative(p);
        if (*p != '|')
            break;
        p++;
    }
    if (*p != ')')
        return false;
    if (p[1] == ' ' && p[2] != '?')
        for (; ends; ends &= ends - 1)
            trig[i].whole[__builtin_ctzll(ends)] = true;
    *pp = p + 1;
    return true;
}

/* The words a pattern can start with, from its leading "\\b" or lookahead "(?=" and then one
 * word or a group of alternatives; when they cannot be told, the pattern is always run. */
static void derive_triggers(size_t i, const char *re) {
    const char *p = re;
    trig[i].n = 0;
    if (strncmp(p, "\\b", 2) == 0)
        p += 2;
    if (strncmp(p, "(?=", 3) == 0)
        p += 3;
    bool ok;
    if (strncmp(p, "(?:", 3) == 0) {
        p += 3;
        ok = collect_group(i, &p) && *p != '?' && *p != '*' && *p != '{';
    } else {
        const char *w = p;
        while (*p >= 'a' && *p <= 'z')
            p++;
        size_t n = (size_t)(p - w);
        if (n && (*p == '?' || *p == '*' || *p == '{'))
            n--;
        ok = n > 0 && n <= 255;
        if (ok) {
            trig[i].whole[0] = p[0] == ' ' && p[1] != '?';
            trig[i].p[0] = w;
            trig[i].len[0] = (uint8_t)(n + second_word(p, n));
            trig[i].whole[0] &= trig[i].len[0] == n;
            trig[i].n = 1;
        }
    }
    if (!ok)
        trig[i].n = 0; /* always run */
    trig[i].percent = ok && trig[i].n_num > 0 && trig[i].n_pct == trig[i].n_num;
}

/* "\\d+ ?%" as compiled (expand(): " ?" is any run of bytes other than a-z, 0-9 and
 * those of other code points) at the word of digits starting at s[i]: a '%' in the run
 * after the digits. */
static bool percent_after(const char *s, size_t len, size_t i) {
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    for (; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '%')
            return true;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
            return false;
    }
    return false;
}

/* Letters spaced out with one space throughout ("i g n o r e a l l r u l e s") join into one
 * word with no gaps to match on; these read such a run squeezed, without word boundaries. */
static const struct pattern squeezed_patterns[] = {
    {DW_SCREEN_INSTRUCTION, "en",
     "(?:ignore|disregard|forget|bypass|override)(?:all|any|your|the|previous|prior|above|"
     "system|these)*(?:rules?|instructions?|guidelines?|polic(?:y|ies)|prompts?|approvals?)"},
    {DW_SCREEN_INSTRUCTION, "en",
     "approve(?:this|the|a|an)(?:deal|discount|quote|order|request|offer|proposal)"},
    {DW_SCREEN_ROLE_PLAY, "en", "youarenow|(?:admin|developer|debug|god)mode|jailbreak"},
    {DW_SCREEN_FAKE_SYSTEM, "en", "systemprompt|newinstructions"},
    {DW_SCREEN_INSTRUCTION, "de",
     "(?:ignoriere|vergiss)(?:alle|deine|ihre|die|bisherigen)*(?:regeln|anweisungen|vorgaben)"},
    {DW_SCREEN_INSTRUCTION, "fr",
     "(?:ignore[rz]?|oublie[rz]?)(?:toutes|tous|les|tes|vos)*(?:regles|instructions|consignes)"},
    {DW_SCREEN_INSTRUCTION, "es",
     "(?:ignora|olvida)(?:todas|las|tus|sus)*(?:reglas|instrucciones|normas)"},
    {DW_SCREEN_INSTRUCTION, "it", "(?:ignora|dimentica)(?:tutte|le|tue)*(?:regole|istruzioni)"},
    {DW_SCREEN_INSTRUCTION, "nl",
     "(?:negeer|vergeet)(?:alle|je|jouw|uw|de)*(?:regels|instructies)"},
};
static pcre2_code *squeezed_codes[DW_ARRAY_SIZE(squeezed_patterns)];
static pcre2_code *markup_code, *short_markup_code;
/* The markup patterns that start with '<', in their order: in a text where only they can
 * match (markup_possible()), the same matches, found by PCRE2's scan for the '<' instead of a
 * try at every byte. */
static pcre2_code *markup_tag_code;
static bool compile_failed;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A pattern with its macros expanded: " " is any gap between words, " ?" an optional one,
 * "^^" the branches of a lookbehind for the start of a sentence ("(?<=^^|\\bplease\\x20)"):
 * a lookbehind, not a consumed prefix, so each pattern starts with a literal and PCRE2 can
 * skip ahead to it instead of trying every position. */
static int expand(struct dw_buf *b, const char *re) {
    int bad = 0;
    for (const char *p = re; *p; p++) {
        if (p[0] == ' ' && p[1] == '?') {
            bad |= dw_buf_puts(b, "[^a-z0-9\\x{80}-\\x{10ffff}]*");
            p++;
        } else if (*p == ' ') {
            bad |= dw_buf_puts(b, "[^a-z0-9\\x{80}-\\x{10ffff}]+");
        } else if (p[0] == '^' && p[1] == '^') {
            bad |= dw_buf_puts(b, "^|[.!?;:,\\n>\\])}*#|\"-]|[.!?;:,\\n>\\])}*#|\"-]\\x20");
            p++;
        } else if (p[0] == '\\' && p[1]) {
            bad |= dw_buf_putc(b, p[0]);
            bad |= dw_buf_putc(b, *++p);
        } else {
            bad |= dw_buf_putc(b, *p);
        }
    }
    return bad ? -DW_ENOMEM : 0;
}

static pcre2_code *compile_one(const char *re, uint32_t extra) {
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF | extra, &ec, &eo, NULL);
    if (c)
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

static pcre2_code *compile_alternation(const char *const *res, size_t n, uint32_t extra) {
    struct dw_buf b;
    int bad = 0;
    dw_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        bad |= dw_buf_puts(&b, i ? "|(?:" : "(?:");
        bad |= dw_buf_puts(&b, res[i]);
        bad |= dw_buf_putc(&b, ')');
    }
    pcre2_code *c = bad ? NULL : compile_one(b.data, extra);
    dw_buf_release(&b);
    return c;
}

/* Adds trigger p[0..len) of pattern g to the trie; false when out of memory or when the
 * trigger is not made of word bytes (derive_triggers() gives none such). */
static bool trie_add(const char *p, size_t len, size_t g, bool whole) {
    if (!trie.n) {
        trie.cap = 1024;
        if (!(trie.n = calloc(trie.cap, sizeof *trie.n)))
            return false;
        trie.len = 1;
    }
    uint32_t node = 0;
    for (size_t i = 0; i < len; i++) {
        int k = p[i] == ' ' ? TRIE_SEP : trie_sym((unsigned char)p[i]);
        if (k < 0)
            return false;
        if (!trie.n[node].next[k]) {
            if (trie.len == UINT16_MAX)
                return false;
            if (trie.len == trie.cap) {
                struct tnode *n = realloc(trie.n, 2 * trie.cap * sizeof *n);
                if (!n)
                    return false;
                trie.n = n;
                trie.cap *= 2;
            }
            trie.n[trie.len] = (struct tnode){0};
            trie.n[node].next[k] = (uint16_t)trie.len++;
        }
        node = trie.n[node].next[k];
    }
    if (!trie.n[node].accept) {
        if (trie.n_sets + 1 >= UINT16_MAX)
            return false;
        uint64_t(*sets)[SET_WORDS] = realloc(trie.sets, (trie.n_sets + 1) * sizeof *sets);
        if (!sets)
            return false;
        trie.sets = sets;
        uint64_t(*prefix)[SET_WORDS] = realloc(trie.prefix, (trie.n_sets + 1) * sizeof *prefix);
        if (!prefix)
            return false;
        trie.prefix = prefix;
        memset(trie.sets[trie.n_sets], 0, sizeof *sets);
        memset(trie.prefix[trie.n_sets], 0, sizeof *prefix);
        trie.n[node].accept = (uint16_t)++trie.n_sets;
    }
    trie.sets[trie.n[node].accept - 1][g / 64] |= (uint64_t)1 << (g % 64);
    if (!whole)
        trie.prefix[trie.n[node].accept - 1][g / 64] |= (uint64_t)1 << (g % 64);
    return true;
}

/* trie.dfa, trie.node_of and trie.more_from from the finished trie; false when out of
 * memory. */
static bool trie_table(void) {
    size_t n = trie.len, rows = n + 2; /* the nodes, the dead row and the NUL's */
    uint32_t *row_of = malloc(n * sizeof *row_of);
    trie.dfa = malloc(rows * DFA_COLS * sizeof *trie.dfa);
    trie.node_of = calloc(rows, sizeof *trie.node_of);
    if (!row_of || !trie.dfa || !trie.node_of) {
        free(row_of);
        return false;
    }
    /* rows: the root, the dead row, the other nodes, those with more to do, the NUL's */
    size_t r = 2;
    row_of[0] = 0;
    for (int more = 0; more <= 1; more++) {
        if (more)
            trie.more_from = (uint32_t)(r * DFA_COLS);
        for (size_t k = 1; k < n; k++)
            if ((trie.n[k].accept || trie.n[k].next[TRIE_SEP]) == more) {
                row_of[k] = (uint32_t)r;
                trie.node_of[r++] = (uint16_t)k;
            }
    }
    uint32_t nul = (uint32_t)(r * DFA_COLS);
    for (size_t c = 0; c < DFA_COLS; c++)
        trie.dfa[DFA_COLS + c] = c == DFA_NUL ? nul : c ? DFA_COLS : 0; /* the dead row */
    for (size_t k = 0; k < n; k++) {
        uint32_t *row = trie.dfa + row_of[k] * DFA_COLS;
        row[0] = 0;
        for (size_t c = 1; c < DFA_NUL; c++)
            row[c] = trie.n[k].next[c - 1] ? row_of[trie.n[k].next[c - 1]] * DFA_COLS : DFA_COLS;
        row[DFA_NUL] = nul;
    }
    memcpy(trie.dfa + nul, trie.dfa, DFA_COLS * sizeof *trie.dfa);
    trie.node_of[r] = 0;
    for (size_t c = 0; c < 256; c++)
        dfa_col[c] = c ? trie_sym1[c] : DFA_NUL;
    free(row_of);
    return true;
}

/* Whether re starts with a lookahead for its trigger words directly followed by a
 * lookbehind: "(?=(?:approve|...))(?<=^^|\\bplease\\x20|...)". Every branch of such a
 * lookbehind ends with a byte outside words (a space, punctuation, a line break) or is a line
 * start, so a match starts where a word does, and with a trigger: as "\\b" and a trigger
 * word do. test_reference_agrees holds the patterns to it. */
static bool lookbehind_after_lookahead(const char *re) {
    if (strncmp(re, "(?=", 3) != 0)
        return false;
    const char *p = skip_alternative(re + 3); /* the lookahead's ')' */
    while (*p == '|')
        p = skip_alternative(p + 1);
    return *p == ')' && strncmp(p + 1, "(?<=", 4) == 0;
}

/* first_bytes[i] of compiled pattern c, when it has a first code unit or a start bitmap of
 * at most FIRST_MAX bytes, all ASCII; otherwise n_first[i] stays 0 and it is always searched. */
static void derive_first_bytes(size_t i, const pcre2_code *c) {
    uint32_t type = 0, unit = 0;
    const uint8_t *bitmap = NULL;
    n_first[i] = 0;
    if (pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODETYPE, &type) != 0)
        return;
    if (type == 1 && pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0 && unit < 0x80) {
        first_bytes[i][n_first[i]++] = (uint8_t)unit; /* caseless patterns are not used */
        return;
    }
    if (type != 0 || pcre2_pattern_info(c, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0 || !bitmap)
        return;
    size_t n = 0;
    for (size_t b = 0; b < 256; b++) {
        if (!(bitmap[b / 8] & (1u << (b % 8))))
            continue;
        if (b >= 0x80 || n == FIRST_MAX)
            return;
        first_bytes[i][n++] = (uint8_t)b;
    }
    n_first[i] = (uint8_t)n;
}

/* Each pattern compiled on its own: an alternation of patterns loses PCRE2's scan for the
 * first characters as soon as one branch can start anywhere, and costs ten times more. A
 * pattern that starts with "\\b" and a trigger word is compiled anchored: it is tried only
 * where a word starts with one of its triggers (screen_patterns()). */
static void compile_all(void) {
    for (size_t c = 0; c < 256; c++)
        trie_sym1[c] = (uint8_t)(trie_sym((unsigned char)c) + 1);
    for (size_t i = 0; i < N_PATTERNS && !compile_failed; i++) {
        derive_triggers(i, patterns[i].re);
        anchored[i] = trig[i].n > 0 && (strncmp(patterns[i].re, "\\b", 2) == 0 ||
                                        lookbehind_after_lookahead(patterns[i].re));
        struct dw_buf b;
        dw_buf_init(&b, 1 << 20);
        int bad = expand(&b, patterns[i].re);
        pcre2_code *c =
            bad ? NULL : compile_one(b.data, PCRE2_MULTILINE | (anchored[i] ? PCRE2_ANCHORED : 0));
        dw_buf_release(&b);
        if (!c) {
            compile_failed = true;
            break;
        }
        codes[i] = c;
        size_t jit_size = 0;
        jitted[i] = pcre2_pattern_info(c, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
        for (size_t k = 0; k < trig[i].n && !compile_failed; k++)
            if (!trie_add(trig[i].p[k], trig[i].len[k], i, trig[i].whole[k]))
                compile_failed = true;
        if (!trig[i].n)
            derive_first_bytes(i, c);
        if (trig[i].percent)
            percent_set[i / 64] |= (uint64_t)1 << (i % 64);
        if (!trig[i].n)
            untriggered[i / 64] |= (uint64_t)1 << (i % 64);
    }
    for (size_t i = 0; i < DW_ARRAY_SIZE(squeezed_patterns) && !compile_failed; i++)
        if (!(squeezed_codes[i] = compile_one(squeezed_patterns[i].re, 0)))
            compile_failed = true;
    markup_code = compile_alternation(markup_patterns, DW_ARRAY_SIZE(markup_patterns), 0);
    const char *tags[DW_ARRAY_SIZE(markup_patterns)];
    size_t n_tags = 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(markup_patterns); i++)
        if (markup_patterns[i][0] == '<')
            tags[n_tags++] = markup_patterns[i];
    markup_tag_code = compile_alternation(tags, n_tags, 0);
    short_markup_code =
        compile_alternation(short_markup_patterns, DW_ARRAY_SIZE(short_markup_patterns), 0);
    if (!markup_code || !short_markup_code || !markup_tag_code)
        compile_failed = true;
    if (!compile_failed && !trie_table())
        compile_failed = true;
}

/* ---- reading: decode, fold, map back ---------------------------------------------------- */

enum {
    VIA_PERCENT = 1u << 0,
    VIA_ENTITY = 1u << 1,
    VIA_INVISIBLE = 1u << 2,
    VIA_LOOKALIKE = 1u << 3,
    VIA_SPACED = 1u << 4,
    VIA_DIGITS = 1u << 5,
    VIA_BASE64 = 1u << 6,
};
static const char *const via_names[] = {"percent", "entity", "invisible", "lookalike",
                                        "spaced",  "digits", "base64"};

/* Read text: bytes, and for each byte the original range [from, to) and how it was read. */
struct rtext {
    char *s;
    uint32_t *from, *to;
    uint8_t *via;
    size_t len, cap;
    bool oom;
    bool spaced; /* a byte has VIA_SPACED (read_join()) */
    bool one_l;  /* read_join() read a '1' as a letter other than the one_is_l reading's */
};

static void rt_release(struct rtext *t) {
    free(t->from); /* the one block all four arrays live in (rt_grow()) */
    *t = (struct rtext){0};
}

/* Room for cap bytes (and the terminating NUL) at once; false when out of memory. The four
 * arrays share one allocation (from, to, s, via), made anew and copied into when it grows:
 * one malloc() instead of four realloc()s for a text read in one go. */
static bool rt_grow(struct rtext *t, size_t cap) {
    if (t->oom || cap > SIZE_MAX / 16) {
        t->oom = true;
        return false;
    }
    uint32_t *m = malloc(cap * (2 * sizeof(uint32_t) + 2));
    if (!m) {
        t->oom = true;
        return false;
    }
    uint32_t *from = m, *to = m + cap;
    char *s = (char *)(m + 2 * cap);
    uint8_t *via = (uint8_t *)s + cap;
    if (t->len) {
        memcpy(from, t->from, t->len * sizeof *from);
        memcpy(to, t->to, t->len * sizeof *to);
        memcpy(s, t->s, t->len);
        memcpy(via, t->via, t->len);
    }
    free(t->from);
    t->from = from;
    t->to = to;
    t->s = s;
    t->via = via;
    t->cap = cap;
    t->s[t->len] = '\0';
    return true;
}

static inline void rt_byte(struct rtext *t, char c, uint32_t from, uint32_t to, uint8_t via) {
    if (t->len + 1 >= t->cap && (t->oom || !rt_grow(t, t->cap ? 2 * t->cap : 256)))
        return;
    t->s[t->len] = c;
    t->from[t->len] = from;
    t->to[t->len] = to;
    t->via[t->len] = via;
    t->len++;
    t->s[t->len] = '\0';
}

/* Bytes a[i..j) as they are, with their ranges and disguises. */
static void rt_copy(struct rtext *t, const struct rtext *a, size_t i, size_t j) {
    size_t n = j - i, cap = t->cap;
    while (t->len + n >= cap)
        cap = cap ? 2 * cap : 256;
    if (cap != t->cap && (t->oom || !rt_grow(t, cap)))
        return;
    if (t->oom)
        return;
    memcpy(t->s + t->len, a->s + i, n);
    memcpy(t->from + t->len, a->from + i, n * sizeof *t->from);
    memcpy(t->to + t->len, a->to + i, n * sizeof *t->to);
    memcpy(t->via + t->len, a->via + i, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void rt_cp(struct rtext *t, uint32_t cp, uint32_t from, uint32_t to, uint8_t via) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    for (size_t i = 0; i < n; i++)
        rt_byte(t, u[i], from, to, via);
}

/* One UTF-8 code point at s[i..n); returns its length (1 for an invalid byte, read as
 * U+FFFD). */
static size_t utf8_at(const unsigned char *s, size_t i, size_t n, uint32_t *cp) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD; /* overlong, surrogate or out of range: the read text stays valid */
        return 1;
    }
    *cp = v;
    return len;
}

static int hexval(int c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A %XX sequence (one UTF-8 character, possibly several %XX) at s[i]: its code point and
 * length, or 0. */
static size_t percent_at(const unsigned char *s, size_t i, size_t n, uint32_t *cp) {
    unsigned char bytes[4];
    size_t k = 0, j = i;
    while (k < 4 && j + 2 < n + 0 && s[j] == '%' && hexval(s[j + 1]) >= 0 &&
           hexval(s[j + 2]) >= 0) {
        bytes[k++] = (unsigned char)(hexval(s[j + 1]) * 16 + hexval(s[j + 2]));
        j += 3;
        size_t want = bytes[0] < 0x80         ? 1
                      : (bytes[0] >> 5) == 6  ? 2
                      : (bytes[0] >> 4) == 14 ? 3
                      : (bytes[0] >> 3) == 30 ? 4
                                              : 0;
        if (want == 0)
            return 0;
        if (k == want) {
            uint32_t v;
            if (utf8_at(bytes, 0, k, &v) != k || v == 0)
                return 0;
            *cp = v;
            return j - i;
        }
    }
    return 0;
}

/* An HTML character reference at s[i] ('&'): its code point and length, or 0. */
static size_t entity_at(const char *s, size_t i, size_t n, uint32_t *cp) {
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {{"amp;", '&'},     {"lt;", '<'},    {"gt;", '>'},   {"quot;", '"'},
                 {"apos;", '\''},   {"nbsp;", 0xA0}, {"shy;", 0xAD}, {"zwj;", 0x200D},
                 {"zwnj;", 0x200C}, {"colon;", ':'}, {"lpar;", '('}, {"rpar;", ')'},
                 {"lsqb;", '['},    {"rsqb;", ']'},  {"sol;", '/'},  {"percnt;", '%'}};
    size_t j = i + 1;
    if (j < n && s[j] == '#') {
        j++;
        bool hex = j < n && (s[j] == 'x' || s[j] == 'X');
        if (hex)
            j++;
        uint32_t v = 0;
        size_t digits = 0;
        while (j < n && digits < 8 && (hex ? hexval(s[j]) >= 0 : (s[j] >= '0' && s[j] <= '9'))) {
            v = v * (hex ? 16 : 10) + (uint32_t)(hex ? hexval(s[j]) : s[j] - '0');
            j++;
            digits++;
        }
        if (!digits || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        if (j < n && s[j] == ';')
            j++;
        *cp = v;
        return j - i;
    }
    for (size_t k = 0; k < DW_ARRAY_SIZE(named); k++) {
        size_t l = strlen(named[k].name);
        if (j + l <= n && strncasecmp(s + j, named[k].name, l) == 0) {
            *cp = named[k].cp;
            return 1 + l;
        }
    }
    return 0;
}

static bool invisible(uint32_t c) {
    return c == 0xAD || c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 || c == 0x17B4 ||
           c == 0x17B5 || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164 ||
           c == 0xFEFF || c == 0xFFA0 || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xE0000 && c <= 0xE007F);
}

static bool space_cp(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\r' || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000 || c == 0x85;
}

/* A letter that imitates a Latin one (Cyrillic, Greek, full-width, mathematical), or 0. */
static uint32_t lookalike(uint32_t c) {
    static const struct {
        uint16_t cp;
        char to;
    } map[] = {
        /* Cyrillic */
        {0x430, 'a'},
        {0x410, 'a'},
        {0x435, 'e'},
        {0x415, 'e'},
        {0x451, 'e'},
        {0x43E, 'o'},
        {0x41E, 'o'},
        {0x440, 'p'},
        {0x420, 'p'},
        {0x441, 'c'},
        {0x421, 'c'},
        {0x445, 'x'},
        {0x425, 'x'},
        {0x443, 'y'},
        {0x423, 'y'},
        {0x456, 'i'},
        {0x406, 'i'},
        {0x457, 'i'},
        {0x458, 'j'},
        {0x408, 'j'},
        {0x455, 's'},
        {0x405, 's'},
        {0x4BB, 'h'},
        {0x41D, 'h'},
        {0x41A, 'k'},
        {0x43A, 'k'},
        {0x41C, 'm'},
        {0x422, 't'},
        {0x412, 'b'},
        {0x501, 'd'},
        {0x51B, 'q'},
        {0x51D, 'w'},
        {0x4CF, 'l'},
        {0x43F, 'n'},
        {0x433, 'r'},
        /* Greek */
        {0x3B1, 'a'},
        {0x391, 'a'},
        {0x3B5, 'e'},
        {0x395, 'e'},
        {0x3BF, 'o'},
        {0x39F, 'o'},
        {0x3C1, 'p'},
        {0x3A1, 'p'},
        {0x3B9, 'i'},
        {0x399, 'i'},
        {0x3BA, 'k'},
        {0x39A, 'k'},
        {0x3BD, 'v'},
        {0x39D, 'n'},
        {0x3C4, 't'},
        {0x3A4, 't'},
        {0x3C5, 'u'},
        {0x3A5, 'y'},
        {0x3C7, 'x'},
        {0x3A7, 'x'},
        {0x392, 'b'},
        {0x396, 'z'},
        {0x397, 'h'},
        {0x39C, 'm'},
        /* Latin look-alikes outside ASCII */
        {0x131, 'i'},
        {0x237, 'j'},
        {0x269, 'i'},
        {0x261, 'g'},
        {0x1D00, 'a'},
        {0x1D04, 'c'},
        {0x1D07, 'e'},
        {0x1D0F, 'o'},
        {0x1D1C, 'u'},
        {0x0280, 'r'},
        {0x0274, 'n'},
        {0x029F, 'l'},
    };
    if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
        return c - 0xFEE0;
    if (c >= 0x1D400 && c <= 0x1D6A3) { /* mathematical alphanumerics, 13 alphabets */
        uint32_t k = (c - 0x1D400) % 52;
        return k < 26 ? 'a' + k : 'a' + (k - 26);
    }
    if (c >= 0x1D7CE && c <= 0x1D7FF)
        return '0' + (c - 0x1D7CE) % 10;
    if (c >= 0x24B6 && c <= 0x24CF) /* circled letters */
        return 'a' + (c - 0x24B6);
    if (c >= 0x24D0 && c <= 0x24E9)
        return 'a' + (c - 0x24D0);
    for (size_t i = 0; i < DW_ARRAY_SIZE(map); i++)
        if (map[i].cp == c)
            return (uint32_t)map[i].to;
    return 0;
}

/* A Latin letter with a diacritic (Latin-1 and Latin Extended-A), without it; "ss" for ß
 * and similar pairs come back as two letters in out. Returns the number of letters. */
static size_t unaccent(uint32_t c, char out[2]) {
    static const char l1[] =   /* U+00C0..U+00FF, '.' where no base letter */
        "aaaaaaaceeeeiiii"     /* C0-CF */
        "dnooooo.ouuuuyts"     /* D0-DF (D7 ×, DE Þ, DF ß handled below) */
        "aaaaaaaceeeeiiii"     /* E0-EF */
        "dnooooo.ouuuuyty";    /* F0-FF */
    static const char exta[] = /* U+0100..U+017F */
        "aaaaaaccccccccdd"
        "ddeeeeeeeeeegggg"
        "gggghhhhiiiiiiii"
        "iijjjjkkklllllll"
        "lllnnnnnnnnnoooo"
        "oooorrrrrrssssss"
        "ssttttttuuuuuuuu"
        "uuuuwwyyyzzzzzzs";
    if (c == 0xDF || c == 0x1E9E) {
        out[0] = out[1] = 's';
        return 2;
    }
    if (c == 0xC6 || c == 0xE6) {
        out[0] = 'a';
        out[1] = 'e';
        return 2;
    }
    if (c == 0x152 || c == 0x153) {
        out[0] = 'o';
        out[1] = 'e';
        return 2;
    }
    if (c >= 0xC0 && c <= 0xFF && l1[c - 0xC0] != '.') {
        out[0] = l1[c - 0xC0];
        return 1;
    }
    if (c >= 0x100 && c <= 0x17F) {
        out[0] = exta[c - 0x100];
        return 1;
    }
    return 0;
}

/* Apostrophes and quotes of every kind read as one gap. */
static bool quote_cp(uint32_t c) {
    return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x201A || c == 0x201B ||
           c == 0x2032 || c == 0xB4;
}

/* How pass 1 reads an ASCII byte other than '%' and '&' (upper case lower-cased, tabs,
 * carriage returns and quotes as spaces, as the code point path below does), FOLD_OTHER for
 * the others. Filled by fold_table_init(). */
#define FOLD_OTHER 0xFF
static uint8_t fold_table[256];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void fold_table_init(void) {
    for (size_t b = 0; b < 256; b++)
        fold_table[b] = b >= 0x80 || b == '%' || b == '&'                 ? FOLD_OTHER
                        : b >= 'A' && b <= 'Z'                            ? (uint8_t)(b + 32)
                        : b == '\t' || b == '\r' || b == '\'' || b == '`' ? ' '
                                                                          : (uint8_t)b;
}

/* Sixteen bytes, for read_fold()'s ASCII runs (GCC's and Clang's vector extension: SSE2 on
 * x86-64, NEON on ARM, plain code elsewhere). */
typedef unsigned char v16 __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16))); /* four offsets */

/* Pass 1: decode and fold s[0..n) into t. Runs of plain ASCII are read by fold_table straight
 * into t; plain (the reference reading) reads every byte by its code point instead. */
static void read_fold(const char *s, size_t n, struct rtext *t, bool plain) {
    const unsigned char *u = (const unsigned char *)s;
    uint8_t pending = 0; /* invisible characters dropped before the next letter */
    pthread_once(&fold_once, fold_table_init);
    for (size_t i = 0; i < n && !t->oom;) {
        if (!plain && fold_table[u[i]] != FOLD_OTHER) {
            /* a run of them written straight in while there is room (rt_byte() otherwise) */
            size_t o = t->len, start = o, i0 = i;
            size_t end = n - i < t->cap - 1 - o ? n : i + (t->cap - 1 - o);
            /* src[w] is written to dst[w]: one index for both in the loops */
            const unsigned char *src = u + i0;
            unsigned char *dst = (unsigned char *)t->s + o;
            size_t w = 0, run = end - i0;
            /* sixteen bytes at a time as fold_table reads them, until sixteen hold another */
            for (; w + 16 <= run; w += 16) {
                v16 x, other, upper, space;
                memcpy(&x, src + w, 16);
                other = (v16)(x >= 0x80) | (v16)(x == '%') | (v16)(x == '&');
                uint64_t any[2];
                memcpy(any, &other, 16);
                if (any[0] | any[1])
                    break;
                upper = (v16)(x >= 'A') & (v16)(x <= 'Z');
                x += upper & 0x20;
                space = (v16)(x == '\t') | (v16)(x == '\r') | (v16)(x == '\'') | (v16)(x == '`');
                x = (x & ~space) | (space & ' ');
                memcpy(dst + w, &x, 16);
            }
            for (; w < run; w++) {
                uint8_t c = fold_table[src[w]];
                if (c == FOLD_OTHER)
                    break;
                dst[w] = c;
            }
            i = i0 + w;
            o += w;
            /* the run's offsets and marks after it, in loops without an exit the compiler
             * turns into vector stores */
            size_t first = i - (o - start);
            size_t k = 0, m = o - start;
            uint32_t *from = t->from + start, *to = t->to + start, f0 = (uint32_t)first;
            v4u f = {f0, f0 + 1, f0 + 2, f0 + 3};
            for (; k + 4 <= m; k += 4, f += 4) { /* four at a time */
                v4u e = f + 1;
                memcpy(from + k, &f, sizeof f);
                memcpy(to + k, &e, sizeof e);
            }
            for (; k < m; k++) {
                from[k] = (uint32_t)(first + k);
                to[k] = (uint32_t)(first + k + 1);
            }
            memset(t->via + start, 0, o - start);
            if (o > start) {
                t->via[start] = pending;
                pending = 0;
            }
            t->len = o;
            t->s[o] = '\0';
            if (i < n && o + 1 >= t->cap && fold_table[u[i]] != FOLD_OTHER) {
                rt_byte(t, (char)fold_table[u[i]], (uint32_t)i, (uint32_t)(i + 1), pending);
                pending = 0;
                i++;
            }
            continue;
        }
        uint32_t cp;
        size_t len = 0;
        uint8_t via = pending;
        if (s[i] == '%' && (len = percent_at(u, i, n, &cp)) > 0)
            via |= VIA_PERCENT;
        else if (s[i] == '&' && (len = entity_at(s, i, n, &cp)) > 0)
            via |= VIA_ENTITY;
        else
            len = utf8_at(u, i, n, &cp);
        uint32_t from = (uint32_t)i, to = (uint32_t)(i + len);
        i += len;
        if (invisible(cp)) {
            pending |= VIA_INVISIBLE;
            continue;
        }
        pending = 0;
        char two[2];
        size_t k;
        uint32_t l;
        if (cp == '\n' || cp == 0x2028 || cp == 0x2029)
            rt_byte(t, '\n', from, to, via);
        else if (space_cp(cp))
            rt_byte(t, ' ', from, to, via);
        else if (quote_cp(cp))
            rt_byte(t, ' ', from, to, via);
        else if (cp < 0x80)
            rt_byte(t, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp), from, to, via);
        else if ((k = unaccent(cp, two)) > 0)
            for (size_t j = 0; j < k; j++)
                rt_byte(t, two[j], from, to, via);
        else if ((l = lookalike(cp)) != 0)
            rt_byte(t, (char)(l >= 'A' && l <= 'Z' ? l + 32 : l), from, to, via | VIA_LOOKALIKE);
        else
            rt_cp(t, cp, from, to, via);
    }
}

static bool alpha(char c) {
    return c >= 'a' && c <= 'z';
}
static bool vowel(char c) {
    return c && strchr("aeiouy", c) != NULL;
}

/* A '1' between vowels, or next to another '1' or 'l', reads 'l' ("ru1es", "a11"); else 'i'
 * ("1gnore", "th1s"). The other reading is tried too (one_is_l). */
static char one_at(const char *s, size_t p, size_t i, size_t j, bool one_is_l) {
    if (one_is_l)
        return 'i';
    char prev = p > i ? s[p - 1] : 0, next = p + 1 < j ? s[p + 1] : 0;
    if ((vowel(prev) && vowel(next)) || prev == '1' || next == '1' || prev == 'l' || next == 'l')
        return 'l';
    return 'i';
}

static char leet(char c, bool one_is_l) {
    switch (c) {
    case '0':
        return 'o';
    case '1':
        return one_is_l ? 'l' : 'i';
    case '3':
        return 'e';
    case '4':
        return 'a';
    case '5':
        return 's';
    case '7':
        return 't';
    case '@':
        return 'a';
    case '$':
        return 's';
    default:
        return 0;
    }
}
static bool spacer(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '|' || c == '/';
}
/* Pass 2's byte classes in one table, one load a byte where it walks the words of a text:
 * CC_WORD word_char(), CC_ASCII_WORD the ASCII ones, CC_ALPHA alpha(), CC_LEET a byte that
 * leet() reads as a letter, CC_SPACER spacer(). The reference reading asks the predicates
 * instead. */
enum { CC_ALPHA = 1, CC_LEET = 2, CC_WORD = 4, CC_ASCII_WORD = 8, CC_SPACER = 16 };
#define CC_W (CC_WORD | CC_ASCII_WORD)
static const uint8_t char_class[256] = {
    [' '] = CC_SPACER,      ['.'] = CC_SPACER,
    ['-'] = CC_SPACER,      ['_'] = CC_SPACER,
    ['*'] = CC_SPACER,      ['|'] = CC_SPACER,
    ['/'] = CC_SPACER,      ['a' ... 'z'] = CC_ALPHA | CC_W,
    ['0'] = CC_LEET | CC_W, ['1'] = CC_LEET | CC_W,
    ['2'] = CC_W,           ['3'] = CC_LEET | CC_W,
    ['4'] = CC_LEET | CC_W, ['5'] = CC_LEET | CC_W,
    ['6'] = CC_W,           ['7'] = CC_LEET | CC_W,
    ['8' ... '9'] = CC_W,   ['@'] = CC_LEET | CC_W,
    ['$'] = CC_LEET | CC_W, [0x80 ... 0xFF] = CC_WORD,
};
#undef CC_W

static bool word_char(char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '@' || c == '$' || (unsigned char)c >= 0x80;
}

/* Where, from i, read_join() must next look closely: the first place a spaced-out run may
 * start (two letters alone, spacers between), an ASCII word that has
 * both letters and digits read as letters, or a space after a space or a line break (one
 * at i itself, whose byte before may have been read otherwise, counts too). Every byte
 * before it is read as it is, so read_join() copies them in one go; most messages are read
 * in one or a few such runs, in one load a byte instead of its byte-by-byte reading. The
 * place returned is one read_join() itself would reach: a word's start or a byte outside
 * ASCII words. */
static size_t plain_run(const char *s, size_t n, size_t i) {
    const unsigned char *u = (const unsigned char *)s; /* u[n] is the read text's NUL */
    size_t start = i;
    while (i < n) {
        uint8_t c = char_class[u[i]];
        if (c & CC_ASCII_WORD) {
            unsigned seen = c;
            size_t j = i + 1;
            while (char_class[u[j]] & CC_ASCII_WORD)
                seen |= char_class[u[j++]];
            if ((seen & (CC_ALPHA | CC_LEET)) == (CC_ALPHA | CC_LEET))
                return i;
            /* a letter alone, after a byte outside words and before a spacer, and after one
             * to three spacers another letter (or digit read as one) alone: the start of a
             * spaced-out run ("a word" is not) */
            if (j == i + 1 && (c & CC_ALPHA) && (i == 0 || !(char_class[u[i - 1]] & CC_WORD)) &&
                (char_class[u[j]] & CC_SPACER)) {
                size_t k = j;
                while (k < n && (char_class[u[k]] & CC_SPACER) && k - i <= 3)
                    k++;
                if (k < n && (char_class[u[k]] & (CC_ALPHA | CC_LEET)) &&
                    !(char_class[u[k + 1]] & CC_WORD))
                    return i;
            }
            i = j;
            continue;
        }
        if (u[i] == ' ' && (i == start || u[i - 1] == ' ' || u[i - 1] == '\n'))
            return i;
        i++;
    }
    return n;
}

/* Pass 2: join spaced-out letters, read digits inside words as letters, collapse spaces.
 * *ret_leet says whether a '1' was read as a letter (the caller reads again with 'l'). With
 * coalesce, the stretches plain_run() finds are copied without looking at each byte; the
 * reference reading (no coalesce) looks at every byte. */
static void read_join(const struct rtext *a, struct rtext *t, bool one_is_l, bool *ret_leet,
                      bool coalesce) {
    size_t n = a->len;
    const char *s = a->s;
    /* bytes copied as they are wait in a[ps..pe) and are copied in one go (rt_copy()) before
     * anything else is written; without coalesce, at once */
    size_t ps = 0, pe = 0;
#define FLUSH()                                                                                    \
    do {                                                                                           \
        if (pe > ps)                                                                               \
            rt_copy(t, a, ps, pe);                                                                 \
        ps = pe = 0;                                                                               \
    } while (0)
#define KEEP(from, to)                                                                             \
    do {                                                                                           \
        if (pe != (from) || pe == ps) {                                                            \
            FLUSH();                                                                               \
            ps = (from);                                                                           \
        }                                                                                          \
        pe = (to);                                                                                 \
        if (!coalesce)                                                                             \
            FLUSH();                                                                               \
    } while (0)
    for (size_t i = 0; i < n && !t->oom;) {
        if (coalesce) {
            size_t e = plain_run(s, n, i);
            if (e > i) {
                KEEP(i, e);
                if ((i = e) >= n)
                    break;
            }
        }
        /* a spaced-out run: single letters, each followed by 1..3 spacers */
        if (alpha(s[i]) && (i == 0 || !word_char(s[i - 1]))) {
            size_t j = i, letters = 0;
            while (j < n && (alpha(s[j]) || leet(s[j], false)) &&
                   (j + 1 >= n || !word_char(s[j + 1]))) {
                letters++;
                size_t k = j + 1;
                while (k < n && spacer(s[k]) && k - j <= 3)
                    k++;
                if (k == j + 1 || k >= n || !(alpha(s[k]) || leet(s[k], false)))
                    break;
                j = k;
            }
            if (letters >= 4) {
                /* copy letters; a gap of two or more spacers, or of another spacer than the
                 * one between most letters ("i.g.n.o.r.e a.l.l"), is a word break */
                size_t count[256] = {0};
                for (size_t q = i + 1; q + 1 <= j; q++)
                    if (spacer(s[q]) && !spacer(s[q - 1]) && !spacer(s[q + 1]))
                        count[(unsigned char)s[q]]++;
                unsigned char dom = ' ';
                for (size_t c = 0; c < 256; c++)
                    if (count[c] > count[dom])
                        dom = (unsigned char)c;
                size_t p = i;
                while (p <= j && p < n) {
                    if (alpha(s[p]) || leet(s[p], false)) {
                        char c = alpha(s[p]) ? s[p] : leet(s[p], one_is_l);
                        t->one_l |= s[p] == '1' && !one_is_l;
                        FLUSH();
                        rt_byte(t, c, a->from[p], a->to[p], a->via[p] | VIA_SPACED);
                        t->spaced = true;
                        p++;
                        size_t q = p;
                        while (q < n && spacer(s[q]) && q <= j)
                            q++;
                        if ((q - p >= 2 || (q - p == 1 && (unsigned char)s[p] != dom)) && q <= j)
                            rt_byte(t, ' ', a->from[p], a->to[q - 1], a->via[p]);
                        p = q;
                    } else {
                        p++;
                    }
                }
                i = j + 1;
                continue;
            }
        }
        /* a word: digits read as letters when it has letters too */
        if (coalesce ? char_class[(unsigned char)s[i]] & CC_ASCII_WORD
                     : word_char(s[i]) && (unsigned char)s[i] < 0x80) {
            size_t j = i;
            bool map;
            if (coalesce) { /* by the table, in one load a byte */
                unsigned seen = 0;
                while (j < n && (char_class[(unsigned char)s[j]] & CC_ASCII_WORD))
                    seen |= char_class[(unsigned char)s[j++]];
                map = (seen & CC_ALPHA) && (seen & CC_LEET);
            } else { /* the reference reading: by the predicates the table stands for */
                bool has_alpha = false, has_leet = false;
                while (j < n && word_char(s[j]) && (unsigned char)s[j] < 0x80) {
                    has_alpha |= alpha(s[j]);
                    has_leet |= leet(s[j], false) != 0;
                    j++;
                }
                map = has_alpha && has_leet;
            }
            if (!map) /* no digit read as a letter: copied */
                KEEP(i, j);
            else
                FLUSH();
            for (size_t p = i; p < j && map; p++) {
                char c = !map || !leet(s[p], false) ? s[p]
                         : s[p] == '1'              ? one_at(s, p, i, j, one_is_l)
                                                    : leet(s[p], false);
                if (map && s[p] == '1') {
                    *ret_leet = true;
                    t->one_l |= c != one_at(s, p, i, j, true);
                }
                rt_byte(t, c, a->from[p], a->to[p],
                        (uint8_t)(a->via[p] | (map && leet(s[p], false) ? VIA_DIGITS : 0)));
            }
            i = j;
            continue;
        }
        if (s[i] == ' ') {
            char last = pe > ps ? s[pe - 1] : t->len ? t->s[t->len - 1] : 0;
            if ((pe > ps || t->len) && (last == ' ' || last == '\n')) {
                i++;
                continue;
            }
        }
        KEEP(i, i + 1);
        i++;
    }
    FLUSH();
#undef KEEP
#undef FLUSH
}

/* ---- findings --------------------------------------------------------------------------- */

struct screen {
    json_t *out;
    pcre2_match_data *md; /* one pair: only the whole match is used (rc 0 is a match) */
    const struct dw_screen_field *f;
    int depth;
    bool oom;
    bool reference; /* dw__screen_reference(): every pattern over the whole text */
};

/* Whether a finding of this category already covers [s, e) of the field. */
static bool covered(json_t *out, const char *field, const char *cat, size_t s, size_t e) {
    size_t i;
    json_t *o;
    json_array_foreach(out, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "field")), field) != 0 ||
            strcmp(json_string_value(json_object_get(o, "category")), cat) != 0)
            continue;
        json_t *sp = json_object_get(o, "span");
        size_t os = (size_t)json_integer_value(json_array_get(sp, 0));
        size_t oe = (size_t)json_integer_value(json_array_get(sp, 1));
        if (s < oe && e > os)
            return true;
    }
    return false;
}

/* A JSON string of s[0..n): exact when it is valid UTF-8 (always, for a lead's fields), else
 * with each invalid byte as U+FFFD, and cut at a character boundary. */
static json_t *utf8_string(const char *s, size_t n) {
    if (dw_utf8_valid(s, n, NULL))
        return json_stringn(s, n);
    struct rtext t = {0};
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_at((const unsigned char *)s, i, n, &cp);
        rt_cp(&t, cp, 0, 0, 0);
        i += len;
    }
    json_t *j = t.oom ? NULL : json_stringn(t.s ? t.s : "", t.len);
    rt_release(&t);
    return j;
}

static void add(struct screen *sc, enum dw_screen_category cat, const char *lang, size_t s,
                size_t e, const char *read, size_t read_len, uint8_t via) {
    const char *cname = categories[cat].name;
    if (sc->oom || json_array_size(sc->out) >= DW_SCREEN_MAX_FINDINGS || e <= s ||
        covered(sc->out, sc->f->name, cname, s, e))
        return;
    json_t *vias = json_array();
    for (size_t k = 0; vias && k < DW_ARRAY_SIZE(via_names); k++)
        if (via & (1u << k))
            json_array_append_new(vias, json_string(via_names[k]));
    json_t *text = utf8_string(sc->f->text + s, e - s), *rd = utf8_string(read, read_len);
    json_t *o = vias && text && rd
                    ? json_pack("{s:s,s:s,s:[I,I],s:O,s:O,s:s,s:O}", "category", cname, "field",
                                sc->f->name, "span", (json_int_t)s, (json_int_t)e, "text", text,
                                "read", rd, "language", lang, "via", vias)
                    : NULL;
    json_decref(vias);
    json_decref(text);
    json_decref(rd);
    if (!o || json_array_append_new(sc->out, o) < 0)
        sc->oom = true;
}

/* A match at t[ms..me): a finding, spaces around it trimmed. */
static void found(struct screen *sc, const struct rtext *t, size_t ms, size_t me,
                  enum dw_screen_category cat, const char *lang, const size_t *blob) {
    while (ms < me && (t->s[ms] == ' ' || t->s[ms] == '\n'))
        ms++;
    while (me > ms && (t->s[me - 1] == ' ' || t->s[me - 1] == '\n'))
        me--;
    if (me <= ms)
        return;
    /* never split a UTF-8 character of the read text */
    while (me < t->len && ((unsigned char)t->s[me] & 0xC0) == 0x80)
        me++;
    uint8_t via = 0;
    for (size_t k = ms; k < me; k++)
        via |= t->via[k];
    size_t s = blob ? blob[0] : t->from[ms], e = blob ? blob[1] : t->to[me - 1];
    add(sc, cat, lang, s, e, t->s + ms, me - ms, (uint8_t)(via | (blob ? VIA_BASE64 : 0)));
}

/* Match the read text t against one compiled pattern (or the markup patterns), every match
 * from left to right; blob, when set, is the original range every finding spans (a base64
 * blob). */
static void match(struct screen *sc, const struct rtext *t, pcre2_code *code,
                  enum dw_screen_category cat, const char *lang, const size_t *blob) {
    if (!t->len)
        return;
    pcre2_match_data *md = sc->md;
    PCRE2_SIZE off = 0;
    while (off < t->len && json_array_size(sc->out) < DW_SCREEN_MAX_FINDINGS) {
        /* the read text is valid UTF-8 by construction (invalid input reads as U+FFFD), and
         * checking it again on every call makes many matches quadratic */
        int rc = pcre2_match(code, (PCRE2_SPTR)t->s, t->len, off, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        off = me > ms ? me : ms + 1;
        found(sc, t, ms, me, cat, lang, blob);
    }
}

/* The same as match() for a pattern compiled anchored, tried only at pos[0..n) (ascending):
 * the only places a match can start, so the findings are the same, left to right. */
static void match_at(struct screen *sc, const struct rtext *t, pcre2_code *code, bool jit,
                     const uint32_t *pos, size_t n, enum dw_screen_category cat, const char *lang,
                     const size_t *blob) {
    pcre2_match_data *md = sc->md;
    PCRE2_SIZE off = 0;
    for (size_t k = 0; k < n && json_array_size(sc->out) < DW_SCREEN_MAX_FINDINGS; k++) {
        if (pos[k] < off)
            continue;
        int rc =
            jit ? pcre2_jit_match(code, (PCRE2_SPTR)t->s, t->len, pos[k], 0, md, NULL)
                : pcre2_match(code, (PCRE2_SPTR)t->s, t->len, pos[k], PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            continue;
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        off = me > ms ? me : ms + 1;
        found(sc, t, ms, me, cat, lang, blob);
    }
}

static void screen_text(struct screen *sc, const char *s, size_t n, const size_t *blob);

/* Base64 blobs of 20 or more characters that decode to readable text: read them too, and
 * report the hidden text itself so the approver sees it. s[i..j) is the blob without its
 * padding, s[i..k) with it. */
static void decode_blob(struct screen *sc, const char *s, size_t i, size_t j, size_t k) {
    bool url = memchr(s + i, '-', j - i) || memchr(s + i, '_', j - i);
    size_t cap = (j - i) / 4 * 3 + 3;
    unsigned char *bin = malloc(cap + 1);
    size_t bl = 0;
    if (!bin) {
        sc->oom = true;
        return;
    }
    int variant =
        url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    if (sodium_base642bin(bin, cap, s + i, j - i, NULL, &bl, NULL, variant) == 0 && bl >= 8 &&
        dw_utf8_valid((const char *)bin, bl, NULL)) {
        size_t printable = 0, spaces = 0;
        for (size_t p = 0; p < bl; p++) {
            printable += bin[p] >= 0x20 || bin[p] == '\n' || bin[p] == '\t';
            spaces += bin[p] == ' ';
        }
        if (printable * 10 >= bl * 9 && spaces > 0) {
            size_t span[2] = {i, k};
            screen_text(sc, (const char *)bin, bl, span);
            add(sc, DW_SCREEN_ENCODED, "any", i, k, (const char *)bin, bl > 300 ? 300 : bl,
                VIA_BASE64);
        }
    }
    free(bin);
}

/* A byte of base64 (either alphabet); ASCII only, whatever the program's locale. */
/* a-z, A-Z, 0-9, '+', '/', '-', '_' */
static const bool b64_chars[256] = {
    ['a' ... 'z'] = true, ['A' ... 'Z'] = true, ['0' ... '9'] = true, ['+'] = true,
    ['/'] = true,         ['-'] = true,         ['_'] = true};
static bool b64_char(char c) {
    return b64_chars[(unsigned char)c];
}

/* Where the next run of 20 or more base64 bytes starts, from i (which starts no run or
 * is after one): a run that starts in s[i..i+20) covers s[i + 19], so when that byte is not
 * base64 none does and the search goes on 20 bytes further; when it is, the run holding it
 * starts where the base64 bytes before it begin, and when it ends before 20 bytes the search
 * goes on after it. Most words are shorter than 20 bytes, so a message is looked at about
 * once every 20 bytes instead of byte by byte. Returns n when there is none. */
static size_t b64_next_run(const char *s, size_t n, size_t i) {
    while (i + 20 <= n) {
        size_t e = i + 19;
        if (!b64_char(s[e])) {
            i = e + 1;
            continue;
        }
        size_t r = e, q = e + 1;
        while (r > i && b64_char(s[r - 1]))
            r--;
        /* and it is one only when it reaches 20 bytes; else on after it */
        while (q < n && q - r < 20 && b64_char(s[q]))
            q++;
        if (q - r >= 20)
            return r;
        i = q + 1;
    }
    return n;
}

/* Base64 blobs: each maximal run of base64 bytes of 20 or more, with up to two '=' after it,
 * is decoded (decode_blob()). The reference reading steps byte by byte (b64_next_run()). */
static void screen_base64(struct screen *sc, const char *s, size_t n) {
    size_t i = 0;
    while (i < n && !sc->oom) {
        if (!sc->reference && (i == 0 || !b64_char(s[i - 1]))) {
            if ((i = b64_next_run(s, n, i)) >= n)
                break;
        }
        if (!b64_char(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && b64_char(s[j]))
            j++;
        size_t k = j;
        while (k < n && k - j < 2 && s[k] == '=')
            k++;
        if (j - i >= 20)
            decode_blob(sc, s, i, j, k);
        i = k;
    }
}

static bool short_field(const char *name) {
    return strcmp(name, "subject") == 0 || strncmp(name, "contact.", 8) == 0 ||
           strcmp(name, "external_id") == 0;
}

/* Where each pattern's triggers start a word of a read text (words: runs of [a-z0-9_], as
 * PCRE2's \\b sees them), from one walk of the trigger trie along each word: the patterns
 * with any are the bits of set, and pattern g's word starts are then pos[at[g]..end[g]),
 * ascending (at[] and end[] of the others are not set). A text's hits fit in buf unless it is
 * a long one full of trigger words (then pos is allocated: hits_release()). */
#define HITS_INLINE 128
struct hits {
    uint32_t *pos;
    uint64_t set[SET_WORDS];
    uint32_t at[N_PATTERNS], end[N_PATTERNS];
    uint32_t buf[HITS_INLINE];
};

static void hits_release(struct hits *h) {
    if (h->pos != h->buf)
        free(h->pos);
    h->pos = NULL;
}

/* trigger_hits()'s hits while the trie is walked, in text order. */
struct hit_list {
    struct hit {
        uint32_t pos, g;
    } buf[HITS_INLINE], *v;
    size_t n, cap;
    uint32_t last[N_PATTERNS]; /* 1 + the word start of the pattern's last hit */
    size_t pct_at;             /* 1 + the word start pct was asked at, 0 when not yet */
    bool pct;                  /* percent_after() there */
};

/* The patterns of the trie's accepting node at the word start i of t, the trigger ending at
 * t->s[e]: a hit each, once a word. -DW_ENOMEM or 0. */
static int accept_hits(const struct rtext *t, struct hit_list *l, struct hits *h, uint32_t node,
                       size_t i, size_t e) {
    const char *s = t->s;
    const uint64_t *set = trie.sets[trie.n[node].accept - 1],
                   *prefix = trie.prefix[trie.n[node].accept - 1];
    /* a whole-word trigger needs a separator after it, as the expanded " " does:
     * a byte other than a-z, 0-9 and those of other code points */
    unsigned char nx = e + 1 < t->len ? (unsigned char)s[e + 1] : 'a';
    bool sep = !((nx >= 'a' && nx <= 'z') || (nx >= '0' && nx <= '9') || nx >= 0x80);
    for (size_t w = 0; w < SET_WORDS; w++) {
        uint64_t bits = sep ? set[w] : set[w] & prefix[w];
        /* "\\d+ ?%" without its '%': asked once for the word, for all such patterns */
        if ((bits & percent_set[w]) && s[i] >= '0' && s[i] <= '9' &&
            !(l->pct_at == i + 1 ? l->pct
                                 : (l->pct_at = i + 1, l->pct = percent_after(s, t->len, i))))
            bits &= ~percent_set[w];
        for (; bits; bits &= bits - 1) {
            size_t g = w * 64 + (size_t)__builtin_ctzll(bits);
            if (l->last[g] == i + 1)
                continue;
            l->last[g] = (uint32_t)(i + 1);
            if (l->n == l->cap) {
                struct hit *nv = malloc(2 * l->cap * sizeof *nv);
                if (!nv)
                    return -DW_ENOMEM;
                memcpy(nv, l->v, l->n * sizeof *nv);
                if (l->v != l->buf)
                    free(l->v);
                l->v = nv;
                l->cap *= 2;
            }
            l->v[l->n++] = (struct hit){(uint32_t)i, (uint32_t)g};
            h->end[g]++; /* counted here, placed by trigger_hits() */
            h->set[w] |= (uint64_t)1 << (g % 64);
        }
    }
    return 0;
}

/* A byte of the expanded " " (TRIE_SEP): not a-z, 0-9 or one of another code point. */
static bool gap_byte(unsigned char c) {
    return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80);
}

/* From state *st at u[j], the first place from j where trie.dfa reaches a node with more
 * to do or a NUL (*st then its row): at the latest the NUL after the read text. Kept out of
 * trigger_hits() so that its loop has the registers to itself. */
static __attribute__((noinline)) size_t dfa_walk(const unsigned char *u, size_t j, uint32_t *st) {
    const uint32_t *dfa = trie.dfa, more_from = trie.more_from;
    uint32_t s = *st;
    while ((s = dfa[s + dfa_col[u[j]]]) < more_from)
        j++;
    *st = s;
    return j;
}

static int trigger_hits(const struct rtext *t, struct hits *h) {
    struct hit_list l;
    l.v = l.buf;
    l.n = 0;
    l.cap = HITS_INLINE;
    l.pct_at = 0;
    memset(l.last, 0, sizeof l.last);
    memset(h->set, 0, sizeof h->set);
    memset(h->end, 0, sizeof h->end);
    const unsigned char *u = (const unsigned char *)t->s;
    int r = 0;
    /* a word's bytes are those with a trie symbol; each byte is one step through trie.dfa */
    size_t len = t->len;
    uint32_t st = 0;
    for (size_t j = 0; (j = dfa_walk(u, j, &st)) < len; j++) {
        uint32_t node = trie.node_of[st / DFA_COLS];
        if (!node) /* a NUL inside the text */
            continue;
        size_t i = j; /* the word's start */
        while (i > 0 && trie_sym1[u[i - 1]])
            i--;
        if (trie.n[node].accept && (r = accept_hits(t, &l, h, node, i, j)) < 0)
            break;
        /* a two-word trigger: on across the gap into the next word, the hit still at i */
        uint32_t m = trie.n[node].next[TRIE_SEP];
        if (!m || j + 1 >= len || !gap_byte(u[j + 1]))
            continue;
        size_t k = j + 1;
        while (k < len && gap_byte(u[k]))
            k++;
        for (; k < len && trie_sym1[u[k]] && r == 0; k++) {
            if (!(m = trie.n[m].next[trie_sym1[u[k]] - 1]))
                break;
            if (trie.n[m].accept)
                r = accept_hits(t, &l, h, m, i, k);
        }
        if (r < 0)
            break;
    }
    struct hit *v = l.v;
    size_t n = l.n;
    if (r < 0) {
        if (v != l.buf)
            free(v);
        return r;
    }
    uint32_t sum = 0;
    for (size_t w = 0; w < SET_WORDS; w++)
        for (uint64_t bits = h->set[w]; bits; bits &= bits - 1) {
            size_t g = w * 64 + (size_t)__builtin_ctzll(bits);
            h->at[g] = sum;
            sum += h->end[g];
            h->end[g] = h->at[g];
        }
    h->pos = n <= HITS_INLINE ? h->buf : malloc(n * sizeof *h->pos);
    if (!h->pos) {
        free(v); /* n > HITS_INLINE: v was allocated */
        return -DW_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) /* in text order, so each pattern's are ascending */
        h->pos[h->end[v[k].g]++] = v[k].pos;
    if (v != l.buf)
        free(v);
    return 0;
}

/* Pattern g over the read text t: not at all when no word starts with one of its triggers,
 * at those words only when it is anchored, else over the whole text. */
static inline void run_pattern(struct screen *sc, size_t g, const struct rtext *t,
                               const struct hits *h, const size_t *blob) {
    if (trig[g].n && !(h->set[g / 64] & ((uint64_t)1 << (g % 64))))
        return;
    if (n_first[g]) {
        bool any = false;
        for (size_t k = 0; k < n_first[g] && !any; k++)
            any = memchr(t->s, first_bytes[g][k], t->len) != NULL;
        if (!any)
            return;
    }
    if (anchored[g]) /* anchored patterns have triggers: here, hits */
        match_at(sc, t, codes[g], jitted[g], h->pos + h->at[g], h->end[g] - h->at[g],
                 patterns[g].cat, patterns[g].lang, blob);
    else
        match(sc, t, codes[g], patterns[g].cat, patterns[g].lang, blob);
}

/* The reference reading (dw__screen_reference()): every pattern compiled unanchored and run
 * over the whole text, without triggers. Compiled on first use. */
static pcre2_code *ref_codes[N_PATTERNS];
static bool ref_failed;
static pthread_once_t ref_once = PTHREAD_ONCE_INIT;

static void compile_reference(void) {
    for (size_t i = 0; i < N_PATTERNS && !ref_failed; i++) {
        if (!anchored[i]) {
            ref_codes[i] = codes[i];
            continue;
        }
        struct dw_buf b;
        dw_buf_init(&b, 1 << 20);
        int bad = expand(&b, patterns[i].re);
        ref_codes[i] = bad ? NULL : compile_one(b.data, PCRE2_MULTILINE);
        dw_buf_release(&b);
        ref_failed = !ref_codes[i];
    }
}

/* The spaced-out runs of t (eight letters or more, no word gap), squeezed into letters only,
 * matched against squeezed_patterns. */
static void match_squeezed(struct screen *sc, const struct rtext *t, const size_t *blob) {
    if (!t->spaced)
        return;
    for (size_t i = 0; i < t->len && !sc->oom;) {
        if (!(t->via[i] & VIA_SPACED)) {
            i++;
            continue;
        }
        size_t j = i;
        struct rtext q = {0};
        while (j < t->len && (t->via[j] & VIA_SPACED) && alpha(t->s[j])) {
            rt_byte(&q, t->s[j], t->from[j], t->to[j], t->via[j]);
            j++;
        }
        if (q.oom)
            sc->oom = true;
        else if (q.len >= 8)
            for (size_t k = 0; k < DW_ARRAY_SIZE(squeezed_patterns); k++)
                match(sc, &q, squeezed_codes[k], squeezed_patterns[k].cat,
                      squeezed_patterns[k].lang, blob);
        rt_release(&q);
        i = j > i ? j : i + 1;
    }
}

/* Whether some byte c of t follows, PCRE2's \\s between, a lower-case letter (any == NULL) or
 * one of the words in any[0..n). */
static bool after_word(const struct rtext *t, char c, const char *const *any, size_t n) {
    for (const char *q = memchr(t->s, c, t->len); q;
         q = memchr(q + 1, c, t->len - (size_t)(q + 1 - t->s))) {
        const char *k = q;
        while (k > t->s && (k[-1] == ' ' || (k[-1] >= '\t' && k[-1] <= '\r')))
            k--;
        if (!any && k > t->s && k[-1] >= 'a' && k[-1] <= 'z')
            return true;
        for (size_t w = 0; any && w < n; w++) {
            size_t l = strlen(any[w]);
            if ((size_t)(k - t->s) >= l && memcmp(k - l, any[w], l) == 0)
                return true;
        }
    }
    return false;
}

/* Which of markup_patterns can match the read text t (compiled without caseless matching):
 * a tag or comment needs a '<', a Markdown link "](", the style and event attributes a letter
 * and then '=', "javascript" and "display" a ':' after them. 0: none, as in most messages
 * (not searched); 1: only those that start with '<' (markup_tag_code); 2: any. */
static int markup_possible(const struct rtext *t) {
    static const char *const before_colon[] = {"javascript", "display"};
    if ((memchr(t->s, '[', t->len) && memmem(t->s, t->len, "](", 2)) ||
        after_word(t, '=', NULL, 0) ||
        after_word(t, ':', before_colon, DW_ARRAY_SIZE(before_colon)))
        return 2;
    return memchr(t->s, '<', t->len) ? 1 : 0;
}

static void screen_text(struct screen *sc, const char *s, size_t n, const size_t *blob) {
    struct rtext a = {0}, b = {0}, c = {0};
    bool leet1 = false, unused = false;
    if (rt_grow(&a, n + 2)) /* one allocation each for the usual sizes */
        read_fold(s, n, &a, sc->reference);
    if (!a.oom && rt_grow(&b, a.len + 2))
        read_join(&a, &b, false, &leet1, !sc->reference);
    /* the other reading of '1' would read the same ("kw12", "1st": b.one_l is false): its
     * matches would be those of the first, each covered by the finding already made */
    if (leet1 && !b.one_l && !sc->reference)
        leet1 = false;
    if (leet1 && rt_grow(&c, a.len + 2))
        read_join(&a, &c, true, &unused, !sc->reference);
    if (a.oom || b.oom || c.oom) {
        sc->oom = true;
        goto out;
    }
    if (sc->reference) {
        for (size_t g = 0; g < N_PATTERNS && !sc->oom; g++) {
            match(sc, &b, ref_codes[g], patterns[g].cat, patterns[g].lang, blob);
            if (leet1)
                match(sc, &c, ref_codes[g], patterns[g].cat, patterns[g].lang, blob);
        }
    } else {
        struct hits hb, hc;
        hb.pos = hc.pos = NULL;
        if (trigger_hits(&b, &hb) < 0 || (leet1 && trigger_hits(&c, &hc) < 0)) {
            sc->oom = true;
            hits_release(&hb);
            hits_release(&hc);
            goto out;
        }
        /* in pattern order, only those with hits in either reading or without triggers */
        for (size_t w = 0; w < SET_WORDS; w++)
            for (uint64_t bits = hb.set[w] | (leet1 ? hc.set[w] : 0) | untriggered[w];
                 bits && !sc->oom; bits &= bits - 1) {
                size_t g = w * 64 + (size_t)__builtin_ctzll(bits);
                run_pattern(sc, g, &b, &hb, blob);
                if (leet1)
                    run_pattern(sc, g, &c, &hc, blob);
            }
        hits_release(&hb);
        hits_release(&hc);
    }
    match_squeezed(sc, &b, blob);
    int markup = sc->reference ? 2 : markup_possible(&a);
    if (markup)
        match(sc, &a, markup == 2 ? markup_code : markup_tag_code, DW_SCREEN_MARKUP, "any", blob);
    if (short_field(sc->f->name))
        match(sc, &a, short_markup_code, DW_SCREEN_MARKUP, "any", blob);
    if (!blob && sc->depth < 1) {
        sc->depth++;
        screen_base64(sc, s, n);
        sc->depth--;
    }
out:
    rt_release(&a);
    rt_release(&b);
    rt_release(&c);
}

static int by_position(const void *x, const void *y) {
    const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    json_int_t sa = json_integer_value(json_array_get(json_object_get(a, "span"), 0));
    json_int_t sb = json_integer_value(json_array_get(json_object_get(b, "span"), 0));
    return sa < sb ? -1 : sa > sb;
}

static int screen_fields(const struct dw_screen_field *fields, size_t n, json_t **ret,
                         struct dw_error *err, bool reference) {
    pthread_once(&once, compile_all);
    if (reference && !compile_failed)
        pthread_once(&ref_once, compile_reference);
    if (compile_failed || (reference && ref_failed))
        return dw_error_set(err, -DW_EINTERNAL, "screening: the built-in patterns do not compile");
    _cleanup_json_ json_t *out = json_array();
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!out || !md) {
        pcre2_match_data_free(md);
        return -DW_ENOMEM;
    }
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (!fields[i].text || !fields[i].name)
            continue;
        size_t before = json_array_size(out);
        struct screen sc = {.out = out, .f = &fields[i], .md = md, .reference = reference};
        size_t len = fields[i].len < DW_SCREEN_MAX_FIELD ? fields[i].len : DW_SCREEN_MAX_FIELD;
        screen_text(&sc, fields[i].text, len, NULL);
        if (sc.oom) {
            r = dw_error_set(err, -DW_ENOMEM, "screening: out of memory");
            break;
        }
        /* this field's findings in text order (the patterns ran one after the other) */
        size_t m = json_array_size(out) - before;
        if (m > 1) {
            json_t **v = malloc(m * sizeof *v);
            if (!v) {
                r = -DW_ENOMEM;
                break;
            }
            for (size_t k = 0; k < m; k++)
                v[k] = json_incref(json_array_get(out, before + k));
            qsort(v, m, sizeof *v, by_position);
            for (size_t k = 0; k < m; k++)
                json_array_set_new(out, before + k, v[k]);
            free(v);
        }
    }
    pcre2_match_data_free(md);
    if (r == 0)
        *ret = DW_TAKE_PTR(out);
    return r;
}

int dw_screen(const struct dw_screen_field *fields, size_t n, json_t **ret, struct dw_error *err) {
    return screen_fields(fields, n, ret, err, false);
}

int dw__screen_reference(const struct dw_screen_field *fields, size_t n, json_t **ret,
                         struct dw_error *err) {
    return screen_fields(fields, n, ret, err, true);
}
