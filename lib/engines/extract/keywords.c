/* The extractor's built-in keywords (function words, residency, location, country
 * adjectives, discount and term words, each with its roles) and the systems customers name
 * when a workspace configures no integrations. */
#include "engines/extract/extract-internal.h"

/* The words every language shares or that are not yet per-language knowledge (function
 * words, residency and location words, country adjectives, discount and term words). The
 * per-language words (numbers, months, currencies, negations, dates...) are in
 * lib/engines/extract/lang/LANG.yaml; phrases.c merges both into one table. Each word once. */
/* clang-format off */
const struct kwbuiltin dw__ex_kw_builtin[] = {
    /* function words */
    {"no", R_STOP, 0}, {"not", R_STOP, 0},
    {"we", R_STOP | R_PRON, 0}, {"i", R_STOP | R_PRON, 0}, {"they", R_STOP | R_PRON, 0},
    {"you", R_STOP | R_PRON, 0}, {"our", R_STOP | R_PRON, 0},
    {"it", R_STOP | R_PRON, 0}, {"wir", R_STOP | R_PRON, 0}, {"ich", R_STOP | R_PRON, 0},
    {"of", R_STOP, 0}, {"in", R_IN | R_STOP, 0}, {"within", R_IN, 0},
    {"innerhalb", R_IN, 0}, {"binnen", R_IN, 0}, {"per", R_PER | R_STOP, 0},
    {"each", R_PER | R_STOP, 0}, {"pro", R_PER | R_STOP, 0}, {"je", R_PER | R_STOP, 0},
    {"for", R_STOP, 0}, {"to", R_STOP, 0}, {"and", R_STOP, 0}, {"or", R_STOP, 0},
    {"the", R_STOP, 0}, {"a", R_ARTICLE | R_STOP, 0}, {"an", R_ARTICLE | R_STOP, 0},
    {"by", R_STOP, 0}, {"from", R_STOP | R_LOC, 0}, {"at", R_STOP, 0},
    {"on", R_STOP, 0}, {"with", R_STOP, 0}, {"than", R_STOP, 0}, {"more", R_STOP, 0},
    {"less", R_STOP, 0}, {"over", R_STOP, 0}, {"under", R_STOP, 0}, {"und", R_STOP, 0},
    {"oder", R_STOP, 0}, {"der", R_STOP, 0}, {"die", R_STOP, 0}, {"das", R_STOP, 0},
    {"den", R_STOP, 0}, {"dem", R_STOP, 0}, {"von", R_STOP, 0}, {"für", R_STOP, 0},
    {"mit", R_STOP, 0}, {"bis", R_STOP, 0}, {"is", R_STOP, 0},
    {"are", R_STOP, 0}, {"was", R_STOP, 0}, {"were", R_STOP, 0},
    {"this", R_STOP, 0}, {"that", R_STOP, 0}, {"these", R_STOP, 0},
    {"those", R_STOP, 0}, {"about", R_STOP, 0}, {"around", R_STOP, 0}, {"plus", R_STOP, 0},
    {"all", R_STOP, 0}, {"only", R_STOP, 0}, {"some", R_STOP, 0}, {"any", R_STOP, 0},
    {"as", R_STOP | R_DWORD, 0}, {"up", R_STOP, 0},
    /* articles */
    {"eines", R_ARTICLE, 0}, {"einem", R_ARTICLE, 0},
    {"einer", R_ARTICLE, 0},
    {"un", R_ARTICLE, 0}, {"une", R_ARTICLE, 0}, {"una", R_ARTICLE, 0}, {"uno", R_ARTICLE, 0},
    {"een", R_ARTICLE, 0},
    /* discount, term */
    {"discount", R_DISC, 1}, {"discounts", R_DISC, 1}, {"rebate", R_DISC, 1},
    {"reduction", R_DISC, 1}, {"markdown", R_DISC, 1}, {"rabatt", R_DISC, 1},
    {"nachlass", R_DISC, 1}, {"preisnachlass", R_DISC, 1}, {"ermäßigung", R_DISC, 1},
    {"off", R_DISC, 0}, {"discounted", R_DISC, 0},
    {"percent", R_PCT, 0}, {"pct", R_PCT, 0}, {"prozent", R_PCT, 0},
    {"term", R_TERMW, 0}, {"contract", R_TERMW, 0}, {"subscription", R_TERMW, 0},
    {"agreement", R_TERMW, 0}, {"commitment", R_TERMW, 0}, {"commit", R_TERMW, 0},
    {"license", R_TERMW, 0}, {"licence", R_TERMW, 0}, {"licensing", R_TERMW, 0},
    {"deal", R_TERMW, 0}, {"plan", R_TERMW, 0}, {"laufzeit", R_TERMW, 0},
    {"vertrag", R_TERMW, 0}, {"vertragslaufzeit", R_TERMW, 0},
    {"mindestlaufzeit", R_TERMW, 0}, {"abo", R_TERMW, 0}, {"abonnement", R_TERMW, 0},
    {"annual", R_ANNUAL, 0}, {"annually", R_ANNUAL, 0}, {"yearly", R_ANNUAL, 0},
    {"jährlich", R_ANNUAL, 0}, {"jährliche", R_ANNUAL, 0}, {"jährlichen", R_ANNUAL, 0},
    {"jährlicher", R_ANNUAL, 0}, {"jaehrlich", R_ANNUAL, 0},
    /* words that may start a date: "year-end", "as soon as", "so schnell wie" */
    {"year", R_DWORD, 0},
    {"so", R_DWORD, 0},
    /* data residency and location */
    {"residency", R_RESID, 1}, {"resident", R_RESID, 1}, {"hosted", R_RESID, 1},
    {"hosting", R_RESID, 1}, {"host", R_RESID, 1}, {"stored", R_RESID, 1},
    {"datacenter", R_RESID, 1}, {"datacentre", R_RESID, 1}, {"datacenters", R_RESID, 1},
    {"datacentres", R_RESID, 1}, {"rechenzentrum", R_RESID, 1},
    {"rechenzentren", R_RESID, 1}, {"gehostet", R_RESID, 1}, {"gespeichert", R_RESID, 1},
    {"datenhaltung", R_RESID, 1}, {"datenspeicherung", R_RESID, 1},
    {"serverstandort", R_RESID, 1}, {"hosten", R_RESID, 1}, {"sovereignty", R_RESID, 1},
    {"stay", R_RESID, 0}, {"stays", R_RESID, 0}, {"remain", R_RESID, 0},
    {"remains", R_RESID, 0}, {"reside", R_RESID, 0}, {"resides", R_RESID, 0},
    {"kept", R_RESID, 0}, {"located", R_RESID | R_LOC, 0}, {"processed", R_RESID, 0},
    {"store", R_RESID, 0}, {"storage", R_RESID, 0}, {"center", R_RESID, 0},
    {"centre", R_RESID, 0}, {"centers", R_RESID, 0}, {"centres", R_RESID, 0},
    {"bleiben", R_RESID, 0}, {"verbleiben", R_RESID, 0}, {"liegen", R_RESID, 0},
    {"speichern", R_RESID, 0},
    {"data", R_DATA, 0}, {"daten", R_DATA, 0}, {"server", R_DATA, 0},
    {"servers", R_DATA, 0}, {"backups", R_DATA, 0}, {"kundendaten", R_DATA, 0},
    {"eu", R_REGION, 0}, {"europe", R_REGION, 0}, {"eea", R_REGION, 0},
    {"ewr", R_REGION, 0}, {"europa", R_REGION, 0}, {"european", R_REGION, 0},
    {"europäische", R_REGION, 0}, {"europäischen", R_REGION, 0},
    {"german", R_CADJ, CC('D', 'E')}, {"deutsche", R_CADJ, CC('D', 'E')},
    {"deutschen", R_CADJ, CC('D', 'E')}, {"deutschem", R_CADJ, CC('D', 'E')},
    {"deutscher", R_CADJ, CC('D', 'E')}, {"french", R_CADJ, CC('F', 'R')},
    {"dutch", R_CADJ, CC('N', 'L')}, {"swiss", R_CADJ, CC('C', 'H')},
    {"austrian", R_CADJ, CC('A', 'T')}, {"british", R_CADJ, CC('G', 'B')},
    {"american", R_CADJ, CC('U', 'S')}, {"irish", R_CADJ, CC('I', 'E')},
    {"italian", R_CADJ, CC('I', 'T')}, {"spanish", R_CADJ, CC('E', 'S')},
    {"swedish", R_CADJ, CC('S', 'E')}, {"finnish", R_CADJ, CC('F', 'I')},
    {"danish", R_CADJ, CC('D', 'K')}, {"norwegian", R_CADJ, CC('N', 'O')},
    {"belgian", R_CADJ, CC('B', 'E')}, {"canadian", R_CADJ, CC('C', 'A')},
    {"australian", R_CADJ, CC('A', 'U')}, {"japanese", R_CADJ, CC('J', 'P')},
    {"deutsches", R_CADJ, CC('D', 'E')}, {"österreichisch", R_CADJ, CC('A', 'T')}, {"österreichische", R_CADJ, CC('A', 'T')}, {"österreichischen", R_CADJ, CC('A', 'T')}, {"österreichischer", R_CADJ, CC('A', 'T')}, {"österreichisches", R_CADJ, CC('A', 'T')}, {"schweizer", R_CADJ, CC('C', 'H')}, {"schweizerische", R_CADJ, CC('C', 'H')}, {"schweizerischen", R_CADJ, CC('C', 'H')}, {"schweizerischer", R_CADJ, CC('C', 'H')}, {"schweizerisches", R_CADJ, CC('C', 'H')}, {"niederländische", R_CADJ, CC('N', 'L')}, {"niederländischen", R_CADJ, CC('N', 'L')}, {"niederländischer", R_CADJ, CC('N', 'L')}, {"niederländisches", R_CADJ, CC('N', 'L')}, {"holländische", R_CADJ, CC('N', 'L')}, {"holländischen", R_CADJ, CC('N', 'L')}, {"holländischer", R_CADJ, CC('N', 'L')}, {"französische", R_CADJ, CC('F', 'R')}, {"französischen", R_CADJ, CC('F', 'R')}, {"französischer", R_CADJ, CC('F', 'R')}, {"französisches", R_CADJ, CC('F', 'R')}, {"italienische", R_CADJ, CC('I', 'T')}, {"italienischen", R_CADJ, CC('I', 'T')}, {"italienischer", R_CADJ, CC('I', 'T')}, {"italienisches", R_CADJ, CC('I', 'T')}, {"spanische", R_CADJ, CC('E', 'S')}, {"spanischen", R_CADJ, CC('E', 'S')}, {"spanischer", R_CADJ, CC('E', 'S')}, {"spanisches", R_CADJ, CC('E', 'S')}, {"polnische", R_CADJ, CC('P', 'L')}, {"polnischen", R_CADJ, CC('P', 'L')}, {"polnischer", R_CADJ, CC('P', 'L')}, {"polnisches", R_CADJ, CC('P', 'L')}, {"czech", R_CADJ, CC('C', 'Z')}, {"tschechische", R_CADJ, CC('C', 'Z')}, {"tschechischen", R_CADJ, CC('C', 'Z')}, {"tschechischer", R_CADJ, CC('C', 'Z')}, {"tschechisches", R_CADJ, CC('C', 'Z')}, {"dänische", R_CADJ, CC('D', 'K')}, {"dänischen", R_CADJ, CC('D', 'K')}, {"dänischer", R_CADJ, CC('D', 'K')}, {"dänisches", R_CADJ, CC('D', 'K')}, {"schwedische", R_CADJ, CC('S', 'E')}, {"schwedischen", R_CADJ, CC('S', 'E')}, {"schwedischer", R_CADJ, CC('S', 'E')}, {"schwedisches", R_CADJ, CC('S', 'E')}, {"belgische", R_CADJ, CC('B', 'E')}, {"belgischen", R_CADJ, CC('B', 'E')}, {"belgischer", R_CADJ, CC('B', 'E')}, {"belgisches", R_CADJ, CC('B', 'E')}, {"britische", R_CADJ, CC('G', 'B')}, {"britischen", R_CADJ, CC('G', 'B')}, {"britischer", R_CADJ, CC('G', 'B')}, {"britisches", R_CADJ, CC('G', 'B')}, {"scottish", R_CADJ, CC('G', 'B')}, {"welsh", R_CADJ, CC('G', 'B')}, {"amerikanische", R_CADJ, CC('U', 'S')}, {"amerikanischen", R_CADJ, CC('U', 'S')}, {"amerikanischer", R_CADJ, CC('U', 'S')}, {"amerikanisches", R_CADJ, CC('U', 'S')}, {"luxembourgish", R_CADJ, CC('L', 'U')}, {"luxemburgische", R_CADJ, CC('L', 'U')}, {"luxemburgischen", R_CADJ, CC('L', 'U')}, {"luxemburgischer", R_CADJ, CC('L', 'U')}, {"portuguese", R_CADJ, CC('P', 'T')}, {"portugiesische", R_CADJ, CC('P', 'T')}, {"portugiesischen", R_CADJ, CC('P', 'T')}, {"portugiesischer", R_CADJ, CC('P', 'T')}, {"greek", R_CADJ, CC('G', 'R')}, {"griechische", R_CADJ, CC('G', 'R')}, {"griechischen", R_CADJ, CC('G', 'R')}, {"griechischer", R_CADJ, CC('G', 'R')}, {"mexican", R_CADJ, CC('M', 'X')}, {"brazilian", R_CADJ, CC('B', 'R')}, {"korean", R_CADJ, CC('K', 'R')}, {"hungarian", R_CADJ, CC('H', 'U')}, {"romanian", R_CADJ, CC('R', 'O')}, {"slovak", R_CADJ, CC('S', 'K')}, {"slovenian", R_CADJ, CC('S', 'I')}, {"croatian", R_CADJ, CC('H', 'R')}, {"estonian", R_CADJ, CC('E', 'E')}, {"latvian", R_CADJ, CC('L', 'V')}, {"lithuanian", R_CADJ, CC('L', 'T')}, {"icelandic", R_CADJ, CC('I', 'S')}, {"turkish", R_CADJ, CC('T', 'R')}, {"israeli", R_CADJ, CC('I', 'L')}, {"singaporean", R_CADJ, CC('S', 'G')}, {"finnische", R_CADJ, CC('F', 'I')}, {"finnischen", R_CADJ, CC('F', 'I')}, {"finnischer", R_CADJ, CC('F', 'I')}, {"norwegische", R_CADJ, CC('N', 'O')}, {"norwegischen", R_CADJ, CC('N', 'O')}, {"norwegischer", R_CADJ, CC('N', 'O')}, {"japanische", R_CADJ, CC('J', 'P')}, {"japanischen", R_CADJ, CC('J', 'P')}, {"japanischer", R_CADJ, CC('J', 'P')},
    {"based", R_LOC, 0}, {"headquartered", R_LOC, 0}, {"headquarters", R_LOC, 0},
    {"hq", R_LOC, 0}, {"offices", R_LOC, 0}, {"office", R_LOC, 0}, {"sites", R_LOC, 0},
    {"site", R_LOC, 0}, {"locations", R_LOC, 0}, {"location", R_LOC, 0},
    {"operate", R_LOC, 0}, {"operating", R_LOC, 0}, {"operations", R_LOC, 0},
    {"presence", R_LOC, 0}, {"subsidiary", R_LOC, 0}, {"subsidiaries", R_LOC, 0},
    {"branches", R_LOC, 0}, {"branch", R_LOC, 0}, {"plants", R_LOC, 0},
    {"plant", R_LOC, 0}, {"factories", R_LOC, 0}, {"factory", R_LOC, 0},
    {"stores", R_LOC, 0}, {"warehouses", R_LOC, 0}, {"warehouse", R_LOC, 0},
    {"sitz", R_LOC, 0}, {"standort", R_LOC, 0}, {"standorte", R_LOC, 0},
    {"standorten", R_LOC, 0}, {"niederlassung", R_LOC, 0},
    {"niederlassungen", R_LOC, 0}, {"ansässig", R_LOC, 0}, {"firmensitz", R_LOC, 0},
    {"hauptsitz", R_LOC, 0}, {"aus", R_LOC, 0},
};
/* clang-format on */
const size_t dw__ex_n_kw_builtin = DW_ARRAY_SIZE(dw__ex_kw_builtin);

/* ---- integrations: the systems customers name when none are configured ---------------- */

#define SYN(...)                                                                                   \
    (const char *const[]){__VA_ARGS__},                                                            \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)
/* clang-format off */
const struct dw_vocab_term dw__ex_default_integrations[] = {
    {"SAP", SYN("SAP S/4HANA", "S/4HANA", "SAP ERP", "SAP ECC")},
    {"Salesforce", SYN("SFDC", "Salesforce CRM")},
    {"ServiceNow", SYN("Service Now")},
    {"Microsoft Entra ID", SYN("Entra ID", "Azure AD", "Azure Active Directory", "AAD")},
    {"Active Directory", SYN("MS Active Directory", "Microsoft Active Directory")},
    {"LDAP", SYN("OpenLDAP")},
    {"RADIUS", SYN("FreeRADIUS")},
    {"Okta", SYN("Okta SSO")},
    {"Splunk", SYN("Splunk SIEM")},
    {"Microsoft Sentinel", SYN("Azure Sentinel", "Sentinel")},
    {"IBM QRadar", SYN("QRadar")},
    {"Elastic", SYN("Elasticsearch", "ELK", "Elastic Stack")},
    {"Syslog", SYN("syslog server")},
    {"Jira", SYN("Jira Service Management")},
    {"Microsoft Teams", SYN("MS Teams")},
    {"Slack", SYN("Slack workspace")},
    {"PagerDuty", SYN("Pager Duty")},
    {"Zabbix", SYN("Zabbix server")},
    {"Nagios", SYN("Icinga")},
    {"PRTG", SYN("Paessler PRTG")},
    {"Grafana", SYN("Grafana dashboards")},
    {"Prometheus", SYN("Prometheus exporter")},
    {"AWS", SYN("Amazon Web Services", "AWS Transit Gateway")},
    {"Microsoft Azure", SYN("Azure", "Azure Virtual WAN")},
    {"Google Cloud", SYN("GCP", "Google Cloud Platform")},
    {"Cisco ISE", SYN("ISE")},
    {"NetBox", SYN("Netbox")},
    {"Ansible", SYN("Ansible Tower", "AWX")},
    {"Terraform", SYN("Terraform provider")},
    {"Microsoft Intune", SYN("Intune")},
    {"VMware", SYN("vSphere", "VMware ESXi")},
    {"Microsoft 365", SYN("Office 365", "M365", "O365")},
    {"Google Workspace", SYN("G Suite")},
    {"DATEV", SYN("Datev")},
    {"Zendesk", SYN("Zendesk Support")},
    {"HubSpot", SYN("Hubspot")},
    {"Siemens TIA Portal", SYN("TIA Portal")},
    {"OPC UA", SYN("OPC-UA")},
};
/* clang-format on */
#undef SYN
const size_t dw__ex_n_default_integrations = DW_ARRAY_SIZE(dw__ex_default_integrations);
