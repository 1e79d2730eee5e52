/* Country names for the requirements extractor: every ISO 3166-1 alpha-2 code with its
 * English short name, the German name where it differs, and the aliases customers write
 * ("USA", "U.S.", "UK", "Holland", "Czechia").
 *
 * One string per country, "CC|name|alias|...". The extractor (extract.c) cuts the names
 * into tokens once and matches them in running text on word boundaries, longest first.
 * Two prefixes limit an alias in running text only (dw_country_code() ignores them):
 *   ^  must be written in upper case: codes and acronyms that are also words or
 *      abbreviations in lower case ("US", "DE"). Codes like "IT", "IN", "AT", "NO", "ID",
 *      "IS" are never listed: in a message they are almost always English words.
 *   *  must start with a capital letter: names that are also common words ("Turkey",
 *      "Chad", "Jordan", "China", "Jersey").
 * Any two-letter code is accepted by dw_country_code() whether listed or not.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engines/extract.h"
#include "engines/legal.h"
#include "rules/phrase.h"

/* Shared with extract.c, which declares them the same way. */
extern const char *const dw__country_names[];
extern const size_t dw__n_country_names;

const char *const dw__country_names[] = {
    "AD|Andorra",
    "AE|United Arab Emirates|^UAE|U.A.E.|Vereinigte Arabische Emirate",
    "AF|Afghanistan",
    "AG|Antigua and Barbuda|Antigua",
    "AI|Anguilla",
    "AL|Albania|Albanien",
    "AM|Armenia|Armenien",
    "AO|Angola",
    "AQ|Antarctica|Antarktis",
    "AR|Argentina|Argentinien",
    "AS|American Samoa",
    "AT|Austria|Österreich|Oesterreich|Autriche|Oostenrijk",
    "AU|Australia|Australien|^AU",
    "AW|Aruba",
    "AX|Åland Islands|Aland Islands|Åland",
    "AZ|Azerbaijan|Aserbaidschan",
    "BA|Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia|Bosnien und Herzegowina|Bosnien",
    "BB|Barbados",
    "BD|Bangladesh|Bangladesch",
    "BE|Belgium|Belgien|Belgique|België|Bélgica|Belgio",
    "BF|Burkina Faso",
    "BG|Bulgaria|Bulgarien",
    "BH|Bahrain",
    "BI|Burundi",
    "BJ|Benin",
    "BL|Saint Barthélemy|Saint Barthelemy|St. Barthélemy|St Barts",
    "BM|Bermuda",
    "BN|Brunei|Brunei Darussalam",
    "BO|Bolivia|Bolivien",
    "BQ|Caribbean Netherlands|Bonaire|Bonaire, Sint Eustatius and Saba",
    "BR|Brazil|Brasilien|Brasil|^BR",
    "BS|Bahamas|The Bahamas",
    "BT|Bhutan",
    "BV|Bouvet Island",
    "BW|Botswana",
    "BY|Belarus|Weißrussland|Weissrussland",
    "BZ|Belize",
    "CA|Canada|Kanada",
    "CC|Cocos Islands|Cocos (Keeling) Islands|Keeling Islands",
    "CD|Democratic Republic of the Congo|DR Congo|Congo-Kinshasa|Demokratische Republik Kongo",
    "CF|Central African Republic|Zentralafrikanische Republik",
    "CG|Republic of the Congo|Congo|Congo-Brazzaville|Kongo",
    "CH|Switzerland|Schweiz|Suisse|Svizzera|Suiza|Zwitserland|^CH",
    "CI|Côte d'Ivoire|Cote d'Ivoire|Ivory Coast|Elfenbeinküste",
    "CK|Cook Islands",
    "CL|*Chile",
    "CM|Cameroon|Kamerun",
    "CN|*China|People's Republic of China|Volksrepublik China|^PRC|^CN",
    "CO|Colombia|Kolumbien",
    "CR|Costa Rica",
    "CU|Cuba|Kuba",
    "CV|Cape Verde|Cabo Verde|Kap Verde",
    "CW|Curaçao|Curacao",
    "CX|Christmas Island",
    "CY|Cyprus|Zypern",
    "CZ|Czech Republic|Czechia|Tschechien|Tschechische Republik|^CZ",
    "DE|Germany|Deutschland|Allemagne|Alemania|Germania|Duitsland|Federal Republic of "
    "Germany|Bundesrepublik Deutschland|^DE",
    "DJ|Djibouti|Dschibuti",
    "DK|Denmark|Dänemark|Daenemark|Danmark|^DK",
    "DM|Dominica",
    "DO|Dominican Republic|Dominikanische Republik",
    "DZ|Algeria|Algerien",
    "EC|Ecuador",
    "EE|Estonia|Estland",
    "EG|Egypt|Ägypten|Aegypten",
    "EH|Western Sahara|Westsahara",
    "ER|Eritrea",
    "ES|Spain|Spanien|España|Espana|Espagne|Spagna|Spanje|^ES",
    "ET|Ethiopia|Äthiopien",
    "FI|Finland|Finnland|Suomi|^FI",
    "FJ|Fiji|Fidschi",
    "FK|Falkland Islands|Falklands",
    "FM|Micronesia|Federated States of Micronesia|Mikronesien",
    "FO|Faroe Islands|Faroes|Färöer",
    "FR|France|Frankreich|Francia|Frankrijk|^FR",
    "GA|Gabon|Gabun",
    "GB|United Kingdom|^UK|U.K.|Great Britain|Britain|England|Scotland|Wales|"
    "Northern Ireland|Vereinigtes Königreich|Großbritannien|Grossbritannien|Schottland|"
    "Nordirland",
    "GD|Grenada",
    "GE|*Georgia|Georgien",
    "GF|French Guiana|Französisch-Guayana",
    "GG|*Guernsey",
    "GH|Ghana",
    "GI|Gibraltar",
    "GL|Greenland|Grönland",
    "GM|Gambia|The Gambia",
    "GN|*Guinea",
    "GP|Guadeloupe",
    "GQ|Equatorial Guinea|Äquatorialguinea",
    "GR|Greece|Griechenland|Hellas|^GR",
    "GS|South Georgia and the South Sandwich Islands|South Georgia",
    "GT|Guatemala",
    "GU|Guam",
    "GW|Guinea-Bissau",
    "GY|Guyana",
    "HK|Hong Kong|Hongkong|^HK",
    "HM|Heard Island and McDonald Islands",
    "HN|Honduras",
    "HR|Croatia|Kroatien|Hrvatska",
    "HT|Haiti",
    "HU|Hungary|Ungarn|Magyarország",
    "ID|Indonesia|Indonesien",
    "IE|Ireland|Irland|Republic of Ireland|Éire|Eire",
    "IL|Israel",
    "IM|Isle of Man",
    "IN|India|Indien",
    "IO|British Indian Ocean Territory",
    "IQ|Iraq|Irak",
    "IR|Iran|Islamic Republic of Iran",
    "IS|Iceland",
    "IT|Italy|Italien|Italia|Italie|Italië",
    "JE|*Jersey",
    "JM|Jamaica|Jamaika",
    "JO|*Jordan|Jordanien",
    "JP|Japan|^JP",
    "KE|Kenya|Kenia",
    "KG|Kyrgyzstan|Kirgisistan",
    "KH|Cambodia|Kambodscha",
    "KI|Kiribati",
    "KM|Comoros|Komoren",
    "KN|Saint Kitts and Nevis|St. Kitts and Nevis",
    "KP|North Korea|Democratic People's Republic of Korea|Nordkorea",
    "KR|South Korea|Korea|Republic of Korea|Südkorea|Suedkorea|^KR",
    "KW|Kuwait",
    "KY|Cayman Islands|Kaimaninseln",
    "KZ|Kazakhstan|Kasachstan",
    "LA|Laos|Lao People's Democratic Republic",
    "LB|Lebanon|Libanon",
    "LC|Saint Lucia|St. Lucia",
    "LI|Liechtenstein",
    "LK|Sri Lanka",
    "LR|Liberia",
    "LS|Lesotho",
    "LT|Lithuania|Litauen",
    "LU|Luxembourg|Luxemburg|^LU",
    "LV|Latvia|Lettland",
    "LY|Libya|Libyen",
    "MA|Morocco|Marokko",
    "MC|Monaco",
    "MD|Moldova|Republic of Moldova|Moldau|Moldawien",
    "ME|Montenegro",
    "MF|Saint Martin|St. Martin",
    "MG|Madagascar|Madagaskar",
    "MH|Marshall Islands|Marshallinseln",
    "MK|North Macedonia|Macedonia|Nordmazedonien|Mazedonien",
    "ML|*Mali",
    "MM|Myanmar|Burma",
    "MN|Mongolia|Mongolei",
    "MO|Macao|Macau",
    "MP|Northern Mariana Islands",
    "MQ|Martinique",
    "MR|Mauritania|Mauretanien",
    "MS|Montserrat",
    "MT|Malta",
    "MU|Mauritius",
    "MV|Maldives|Malediven",
    "MW|Malawi",
    "MX|Mexico|Mexiko|México|Messico|^MX",
    "MY|Malaysia",
    "MZ|Mozambique|Mosambik",
    "NA|Namibia",
    "NC|New Caledonia|Neukaledonien",
    "NE|*Niger",
    "NF|Norfolk Island",
    "NG|Nigeria",
    "NI|Nicaragua",
    "NL|Netherlands|The Netherlands|Holland|Niederlande|Nederland|Pays-Bas|Países Bajos|Paesi "
    "Bassi|^NL",
    "NO|Norway|Norwegen|Norge",
    "NP|Nepal",
    "NR|Nauru",
    "NU|Niue",
    "NZ|New Zealand|Neuseeland|^NZ",
    "OM|Oman",
    "PA|*Panama",
    "PE|Peru|Perú|Pérou",
    "PF|French Polynesia|Französisch-Polynesien",
    "PG|Papua New Guinea|Papua-Neuguinea",
    "PH|Philippines|Philippinen",
    "PK|Pakistan",
    "PL|Poland|Polen|Polska|Pologne|Polonia|^PL",
    "PM|Saint Pierre and Miquelon",
    "PN|Pitcairn Islands|Pitcairn",
    "PR|Puerto Rico",
    "PS|Palestine|State of Palestine|Palästina",
    "PT|Portugal|^PT",
    "PW|Palau",
    "PY|Paraguay",
    "QA|Qatar|Katar",
    "RE|Réunion|*Reunion",
    "RO|Romania|Rumänien|Rumaenien",
    "RS|Serbia|Serbien",
    "RU|Russia|Russian Federation|Russland",
    "RW|Rwanda|Ruanda",
    "SA|Saudi Arabia|Saudi-Arabien|^KSA",
    "SB|Solomon Islands|Salomonen",
    "SC|Seychelles|Seychellen",
    "SD|Sudan",
    "SE|Sweden|Schweden|Sverige|^SE",
    "SG|Singapore|Singapur|^SG",
    "SH|Saint Helena|St. Helena",
    "SI|Slovenia|Slowenien",
    "SJ|Svalbard and Jan Mayen|Svalbard",
    "SK|Slovakia|Slowakei|Slovak Republic",
    "SL|Sierra Leone",
    "SM|San Marino",
    "SN|Senegal",
    "SO|Somalia",
    "SR|Suriname|Surinam",
    "SS|South Sudan|Südsudan",
    "ST|São Tomé and Príncipe|Sao Tome and Principe",
    "SV|El Salvador",
    "SX|Sint Maarten",
    "SY|Syria|Syrien|Syrian Arab Republic",
    "SZ|Eswatini|Swaziland",
    "TC|Turks and Caicos Islands",
    "TD|*Chad|Tschad",
    "TF|French Southern Territories",
    "TG|*Togo",
    "TH|Thailand",
    "TJ|Tajikistan|Tadschikistan",
    "TK|Tokelau",
    "TL|Timor-Leste|East Timor|Osttimor",
    "TM|Turkmenistan",
    "TN|Tunisia|Tunesien",
    "TO|Tonga",
    "TR|*Turkey|Türkiye|Turkiye|Türkei|Tuerkei",
    "TT|Trinidad and Tobago|Trinidad",
    "TV|Tuvalu",
    "TW|Taiwan",
    "TZ|Tanzania|Tansania",
    "UA|Ukraine",
    "UG|Uganda",
    "UM|United States Minor Outlying Islands",
    ("US|United States|United States of America|^USA|U.S.|U.S.A.|^US|*America|"
     "Vereinigte Staaten|Vereinigten Staaten"),
    "UY|Uruguay",
    "UZ|Uzbekistan|Usbekistan",
    "VA|Vatican City|Vatican|Holy See|Vatikan",
    "VC|Saint Vincent and the Grenadines",
    "VE|Venezuela",
    "VG|British Virgin Islands",
    "VI|US Virgin Islands|U.S. Virgin Islands",
    "VN|Vietnam|Viet Nam",
    "VU|Vanuatu",
    "WF|Wallis and Futuna",
    "WS|Samoa",
    "YE|Yemen|Jemen",
    "YT|Mayotte",
    "ZA|South Africa|Südafrika|^ZA",
    "ZM|Zambia|Sambia",
    "ZW|Zimbabwe|Simbabwe",
/* the names in German, French, Spanish, Italian and Dutch that the rows above lack */
#include "places-iso-countries.inc"
};
const size_t dw__n_country_names = DW_ARRAY_SIZE(dw__country_names);

bool dw_country_is_eea(const char *code) {
    /* The 27 EU member states, then Iceland, Liechtenstein and Norway. */
    static const char eea[] = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL "
                              "PL PT RO SK SI ES SE IS LI NO";
    if (!code || !code[0] || !code[1] || code[2])
        return false;
    char a = code[0] & ~0x20, b = code[1] & ~0x20; /* ASCII upper case */
    for (size_t i = 0; i + 1 < sizeof eea; i += 3)
        if (eea[i] == a && eea[i + 1] == b)
            return true;
    return false;
}

/* Regions: states and provinces with their country, and groups of countries ("--"). Same
 * format as above, "CC|name|alias|..."; in running text a region counts only when written
 * with a capital ("Bavaria", not "bavaria"). States that share a name with a country
 * ("Georgia") or a city ("New York", "Washington") are left out: the country or the city is
 * the likelier reading. Cities follow in dw__city_names: the large ones customers name
 * ("our data centre in Frankfurt"), leaving out those that are also common capitalised words
 * ("Essen", "Halle", "Nice"). */
extern const char *const dw__region_names[];
extern const size_t dw__n_region_names;

const char *const dw__region_names[] = {
    /* United States */
    "US|Alabama",
    "US|Alaska",
    "US|Arizona",
    "US|Arkansas",
    "US|California",
    "US|Colorado",
    "US|Connecticut",
    "US|Delaware",
    "US|Florida",
    "US|Hawaii",
    "US|Idaho",
    "US|Illinois",
    "US|Indiana",
    "US|Iowa",
    "US|Kansas",
    "US|Kentucky",
    "US|Louisiana",
    "US|Maine",
    "US|Maryland",
    "US|Massachusetts",
    "US|Michigan",
    "US|Minnesota",
    "US|Mississippi",
    "US|Missouri",
    "US|Montana",
    "US|Nebraska",
    "US|Nevada",
    "US|New Hampshire",
    "US|New Jersey",
    "US|New Mexico",
    "US|North Carolina",
    "US|North Dakota",
    "US|Ohio",
    "US|Oklahoma",
    "US|Oregon",
    "US|Pennsylvania",
    "US|Rhode Island",
    "US|South Carolina",
    "US|South Dakota",
    "US|Tennessee",
    "US|Texas",
    "US|Utah",
    "US|Vermont",
    "US|Virginia",
    "US|West Virginia",
    "US|Wisconsin",
    "US|Wyoming",
    "US|Carolinas|the Carolinas",
    /* Germany */
    "DE|Baden-Württemberg|Baden-Wuerttemberg",
    "DE|Bavaria|Bayern",
    "DE|Brandenburg",
    "DE|Hesse|Hessen",
    "DE|Lower Saxony|Niedersachsen",
    "DE|Mecklenburg-Vorpommern|Mecklenburg-Western Pomerania",
    "DE|North Rhine-Westphalia|Nordrhein-Westfalen|NRW",
    "DE|Rhineland-Palatinate|Rheinland-Pfalz",
    "DE|Saarland",
    "DE|Saxony|Sachsen",
    "DE|Saxony-Anhalt|Sachsen-Anhalt",
    "DE|Schleswig-Holstein",
    "DE|Thuringia|Thüringen",
    "DE|Ruhr|Ruhrgebiet",
    "DE|Sauerland",
    "DE|Allgäu|Allgaeu",
    "DE|Black Forest|Schwarzwald",
    "DE|Eifel",
    "DE|Münsterland",
    "DE|Emsland",
    "DE|Ostwestfalen|Ostwestfalen-Lippe|East Westphalia",
    "DE|Rhineland|Rheinland",
    "DE|Franconia|Franken",
    "DE|Upper Bavaria|Oberbayern",
    "DE|Lower Bavaria|Niederbayern",
    "DE|Upper Palatinate|Oberpfalz",
    "DE|Swabia|Schwaben",
    "DE|Odenwald",
    "DE|Harz",
    "DE|Erzgebirge",
    "DE|Lausitz|Lusatia",
    "DE|Vogtland",
    "DE|Westerwald",
    "DE|Hunsrück",
    "DE|Palatinate|Pfalz",
    "DE|East Frisia|Ostfriesland",
    "DE|Bergisches Land",
    "DE|Siegerland",
    "DE|Spreewald",
    "DE|Breisgau",
    /* Austria, Switzerland */
    "AT|Tyrol|Tirol",
    "AT|Styria|Steiermark",
    "AT|Upper Austria|Oberösterreich",
    "AT|Lower Austria|Niederösterreich",
    "AT|Carinthia|Kärnten",
    "AT|Vorarlberg",
    "CH|Zurich canton|Kanton Zürich|canton of Zurich",
    "CH|Zug",
    "CH|Aargau|Argovia",
    "CH|Thurgau|Thurgovia",
    "CH|Schwyz",
    "CH|Graubünden|Grisons|Graubuenden",
    "CH|Valais|Wallis",
    "CH|Vaud|Waadt",
    "CH|Fribourg canton|Kanton Freiburg|Fribourg",
    "CH|Neuchâtel|Neuenburg|Neuchatel",
    "CH|Solothurn",
    "CH|Schaffhausen",
    "CH|Glarus",
    "CH|Appenzell",
    "CH|Obwalden",
    "CH|Nidwalden",
    "CH|Basel-Landschaft|Baselland",
    "CH|Emmental",
    "CH|Engadin|Engadine",
    "CH|German-speaking Switzerland|Deutschschweiz|Suisse alémanique|Svizzera tedesca",
    "CH|French-speaking Switzerland|Westschweiz|Suisse romande",
    "CH|Ticino|Tessin",
    "CH|Romandy|Romandie",
    /* United Kingdom, Canada, Australia, others */
    "GB|England",
    "GB|Scotland|Schottland",
    "GB|Wales",
    "GB|Northern Ireland|Nordirland",
    "GB|Yorkshire",
    "GB|Cornwall",
    "GB|Devon",
    "GB|Kent",
    "GB|Midlands|West Midlands|East Midlands",
    "GB|Lancashire",
    "GB|Cumbria",
    "GB|Essex",
    "GB|Surrey",
    "GB|Sussex",
    "GB|Norfolk",
    "GB|Suffolk",
    "GB|Cheshire",
    "GB|Northumberland",
    "GB|East Anglia",
    "GB|Scottish Highlands",
    "CA|Nova Scotia",
    "CA|New Brunswick",
    "CA|Saskatchewan",
    "CA|Newfoundland",
    "CA|Prince Edward Island",
    "SE|Värmland|Varmland",
    "SE|Skåne|Scania",
    "SE|Dalarna",
    "SE|Småland|Smaland",
    "SE|Norrland",
    "AT|Burgenland",
    "AT|Salzburger Land",
    "AT|Wachau",
    "AU|Western Australia",
    "AU|South Australia",
    "AU|Tasmania",
    "CA|Ontario",
    "CA|Quebec|Québec",
    "CA|British Columbia",
    "CA|Alberta",
    "CA|Manitoba",
    "AU|New South Wales",
    "AU|Queensland",
    "FR|Alsace|Elsass",
    "FR|Brittany|Bretagne",
    "FR|Côte d'Azur|Cote d'Azur|French Riviera",
    "FR|Provence|Provence-Alpes-Côte d'Azur",
    "FR|Normandy|Normandie",
    "FR|Burgundy|Bourgogne|Burgund",
    "FR|Île-de-France|Ile-de-France",
    "FR|Occitanie|Occitania",
    "FR|Auvergne-Rhône-Alpes|Auvergne|Rhône-Alpes",
    "FR|Nouvelle-Aquitaine|Aquitaine",
    "FR|Hauts-de-France",
    "FR|Grand Est",
    "FR|Pays de la Loire",
    "FR|Corsica|Corse|Korsika",
    "FR|Savoie|Savoy|Haute-Savoie",
    "FR|Languedoc",
    "FR|Lorraine|Lothringen",
    "FR|Picardie|Picardy",
    "ES|Catalonia|Katalonien|Catalunya|Cataluña",
    "ES|Canary Islands|Canaries|Islas Canarias|Canarias|Kanarische Inseln|Kanaren",
    "ES|Balearic Islands|Islas Baleares|Baleares|Balearen|Mallorca|Majorca|Ibiza",
    "ES|Andalusia|Andalucía|Andalucia|Andalusien",
    "ES|Galicia|Galicien",
    "ES|Asturias|Asturien",
    "ES|Basque Country|País Vasco|Pais Vasco|Euskadi|Baskenland",
    "ES|Castilla y León",
    "ES|Castilla-La Mancha",
    "ES|Aragón|Aragon|Aragonien",
    "ES|Murcia",
    "ES|Navarra|Navarre",
    "ES|Cantabria|Kantabrien",
    "ES|Extremadura",
    "ES|Costa del Sol",
    "ES|Costa Brava",
    "ES|Comunidad de Madrid",
    "ES|Comunitat Valenciana|Comunidad Valenciana",
    "IT|Lombardy|Lombardei|Lombardia",
    "IT|South Tyrol|Südtirol|Alto Adige|Sudtirolo",
    "IT|Amalfi Coast|Costiera Amalfitana|Amalfiküste",
    "IT|Dolomites|Dolomiti|Dolomiten",
    "IT|Val Gardena|Gröden|Grödnertal",
    "IT|Val di Fassa|Fassatal",
    "IT|Langhe",
    "IT|Cinque Terre",
    "IT|Salento",
    "IT|Maremma",
    "IT|Chianti",
    "IT|Cilento",
    "IT|Lake Garda|Lago di Garda|Gardasee|Garda",
    "IT|Lake Como|Lago di Como|Comer See",
    "IT|Lago Maggiore",
    "IT|Emilia-Romagna|Emilia Romagna",
    "IT|Veneto|Venetien",
    "IT|Piedmont|Piemonte|Piemont",
    "IT|Tuscany|Toscana|Toskana",
    "IT|Lazio|Latium",
    "IT|Campania|Kampanien",
    "IT|Sicily|Sicilia|Sizilien",
    "IT|Sardinia|Sardegna|Sardinien",
    "IT|Apulia|Puglia|Apulien",
    "IT|Liguria|Ligurien",
    "IT|Trentino|Trentino-Alto Adige",
    "IT|Friuli|Friaul|Friuli-Venezia Giulia",
    "IT|Umbria|Umbrien",
    "IT|Calabria|Kalabrien",
    "IT|Abruzzo|Abruzzen",
    "IT|Marche|Marken",
    "NL|North Brabant|Noord-Brabant",
    "NL|Gelderland",
    "NL|South Holland|Zuid-Holland",
    "NL|North Holland|Noord-Holland",
    "NL|Friesland|Fryslân",
    "NL|Overijssel",
    "NL|Zeeland",
    "NL|Drenthe",
    "NL|Flevoland",
    "NL|Randstad",
    "NL|Twente",
    "BE|Flanders|Flandern|Vlaanderen|Flandre",
    "BE|Wallonia|Wallonien|Wallonie",
    /* groups of countries */
    "--|EU|European Union|Europäische Union|EEA|EWR",
    "--|Europe|Europa",
    "--|DACH|D-A-CH",
    "--|Nordics|Nordic countries|Scandinavia|Skandinavien|Nordeuropa",
    "--|Benelux|Benelux countries|Beneluxländer",
    "--|EMEA",
    "--|APAC|Asia-Pacific|Asia Pacific",
    "--|LATAM|Latin America|Lateinamerika",
    "--|North America|Nordamerika",
    "--|Middle East|Naher Osten|Nahost",
    "--|Southeast Asia|Südostasien",
    "--|Eastern Europe|Osteuropa",
    "--|Western Europe|Westeuropa",
    "--|Central Europe|Mitteleuropa|CEE",
    /* Regions customers write that are no subdivision, or whose name iso-codes lacks */
    "ES|Tenerife|Teneriffa",
    "ES|Gran Canaria",
    "ES|Lanzarote",
    "ES|Fuerteventura",
    "ES|Menorca|Minorca",
    "ES|Costa Blanca",
    "ES|Costa Dorada|Costa Daurada",
    "ES|Catalogne|Catalogna",
    "ES|Baléares|Baleari",
    "FR|Franche-Comté|Franche-Comte",
    "FR|Pays de Caux",
    "FR|Champagne-Ardenne",
    "FR|Vendée|Vendee",
    "FR|Val-d'Oise",
    "FR|Finistère|Finistere",
    "FR|Gironde",
    "FR|Bouches-du-Rhône",
    "FR|Alpes-Maritimes",
    "FR|Loire-Atlantique",
    "FR|Haute-Garonne",
    "FR|Seine-Saint-Denis",
    "FR|Hauts-de-Seine",
    "FR|Nord-Pas-de-Calais",
    "FR|Midi-Pyrénées|Midi-Pyrenees",
    "FR|Poitou-Charentes",
    "BE|Bruxelles-Capitale",
    "MX|Riviera Maya",
    "NL|Wadden Islands|Waddeneilanden|Wadden",
    "NL|Veluwe",
    "NL|Achterhoek",
    "BE|Kempen|Campine",
/* ISO 3166-2 first-level subdivisions in six languages (gen-places-iso.py) */
#include "places-iso-regions.inc"
};
const size_t dw__n_region_names = sizeof dw__region_names / sizeof dw__region_names[0];

extern const char *const dw__city_names[];
extern const size_t dw__n_city_names;

/* clang-format off */
const char *const dw__city_names[] = {
    /* Germany */
    "DE|Berlin|Berlín|Berlino|Berlijn", "DE|Hamburg|Hambourg|Hamburgo|Amburgo", "DE|Munich|München|Muenchen|Múnich|Monaco di Baviera|Munchen", "DE|Cologne|Köln|Koeln|Keulen",
    "DE|Frankfurt|Frankfurt am Main|Francfort|Fráncfort|Francoforte", "DE|Stuttgart", "DE|Düsseldorf|Duesseldorf|Dusseldorf|Dusseldorp",
    "DE|Leipzig", "DE|Dortmund", "DE|Bremen", "DE|Bremerhaven", "DE|Dresden|Dresde",
    "DE|Hanover|Hannover", "DE|Nuremberg|Nürnberg|Nuernberg|Núremberg|Norimberga|Neurenberg", "DE|Duisburg", "DE|Bochum",
    "DE|Wuppertal", "DE|Bielefeld", "DE|Bonn", "DE|Münster|Muenster", "DE|Mannheim",
    "DE|Karlsruhe", "DE|Augsburg", "DE|Wiesbaden", "DE|Mönchengladbach", "DE|Gelsenkirchen",
    "DE|Aachen", "DE|Braunschweig", "DE|Kiel", "DE|Chemnitz", "DE|Magdeburg",
    "DE|Freiburg|Freiburg im Breisgau", "DE|Krefeld", "DE|Mainz", "DE|Lübeck|Luebeck", "DE|Erfurt", "DE|Rostock",
    "DE|Kassel", "DE|Saarbrücken", "DE|Potsdam", "DE|Ingolstadt", "DE|Wolfsburg",
    "DE|Regensburg", "DE|Ulm", "DE|Heilbronn", "DE|Darmstadt", "DE|Würzburg",
    "DE|Osnabrück", "DE|Oldenburg", "DE|Paderborn", "DE|Göttingen", "DE|Jena",
    /* Austria, Switzerland */
    "AT|Vienna|Wien|Viena|Wenen", "AT|Graz", "AT|Linz", "AT|Salzburg", "AT|Innsbruck", "AT|Klagenfurt",
    "AT|St. Pölten|Sankt Pölten", "CH|Zurich|Zürich|Zúrich|Zurigo", "CH|Geneva|Genf|Genève|Ginebra|Ginevra", "CH|Basel|Bâle|Basilea|Bazel",
    "CH|Bern|Berne|Berna", "CH|Lausanne", "CH|Lucerne|Luzern", "CH|St. Gallen", "CH|Winterthur",
    "CH|Lugano",
    /* rest of Europe */
    "NL|Amsterdam", "NL|Rotterdam", "NL|The Hague|Den Haag|La Haye|La Haya|L'Aia", "NL|Utrecht", "NL|Eindhoven",
    "NL|Groningen", "BE|Brussels|Brüssel|Bruxelles|Brussel", "BE|Antwerp|Antwerpen|Anvers|Amberes|Anversa", "BE|Ghent|Gent|Gand|Gante",
    "BE|Liège|Lüttich|Luik|Lieja|Liegi", "FR|Paris", "FR|Lyon|Lyons|Lione", "FR|Marseille|Marseilles|Marsella|Marsiglia", "FR|Toulouse|Tolosa", "FR|Nantes",
    "FR|Strasbourg|Straßburg|Estrasburgo|Strasburgo|Straatsburg", "FR|Lille", "FR|Bordeaux|Burdeos", "IT|Rome|Rom|Roma",
    "IT|Milan|Mailand|Milano|Milán", "IT|Naples|Neapel|Napoli|Nápoles|Napels", "IT|Turin|Torino|Turín|Turijn", "IT|Bologna",
    "IT|Florence|Florenz|Firenze|Florencia", "IT|Genoa|Genua|Genova|Gênes|Génova", "IT|Venice|Venedig|Venezia|Venise|Venecia",
    "IT|Verona", "ES|Madrid", "ES|Barcelona|Barcelone|Barcellona", "ES|Valencia", "ES|Seville|Sevilla|Séville|Siviglia",
    "ES|Bilbao", "ES|Zaragoza|Saragosse|Saragossa", "ES|Málaga|Malaga", "PT|Lisbon|Lissabon|Lisboa|Lisbonne|Lisbona", "PT|Porto",
    "GB|London|Londres|Londra|Londen", "GB|Manchester", "GB|Birmingham", "GB|Leeds", "GB|Glasgow", "GB|Edinburgh|Édimbourg|Edimburgo",
    "GB|Liverpool", "GB|Bristol", "GB|Sheffield", "GB|Cardiff", "GB|Belfast", "IE|Dublin",
    "IE|Cork", "DK|Copenhagen|Kopenhagen|København|Copenhague|Copenaghen", "DK|Aarhus", "SE|Stockholm|Estocolmo|Stoccolma",
    "SE|Gothenburg|Göteborg", "SE|Malmö|Malmo", "NO|Oslo", "NO|Stavanger", "NO|Trondheim",
    "FI|Helsinki", "FI|Tampere", "FI|Espoo", "PL|Warsaw|Warschau|Warszawa|Varsovie|Varsovia",
    "PL|Kraków|Krakau|Krakow", "PL|Wrocław|Breslau|Wroclaw", "PL|Poznań|Posen|Poznan",
    "PL|Gdańsk|Danzig|Gdansk", "PL|Łódź|Lodz", "CZ|Prague|Prag|Praha|Praga", "CZ|Brno|Brünn",
    "HU|Budapest", "RO|Bucharest|Bukarest", "GR|Athens|Athen|Athènes|Atenas|Atene", "GR|Thessaloniki",
    "TR|Istanbul", "SK|Bratislava|Pressburg", "SI|Ljubljana", "HR|Zagreb",
    /* North America */
    "US|New York City|NYC|Nueva York", "US|Los Angeles", "US|Chicago", "US|Houston", "US|Phoenix",
    "US|Philadelphia", "US|San Antonio", "US|San Diego", "US|Dallas", "US|Austin",
    "US|San Francisco", "US|San Jose", "US|Seattle", "US|Denver", "US|Boston", "US|Atlanta",
    "US|Miami", "US|Detroit", "US|Minneapolis", "US|Pittsburgh", "US|Cleveland",
    "US|Nashville", "US|Las Vegas", "US|Baltimore", "US|St. Louis", "US|Salt Lake City",
    "US|Raleigh", "US|Tampa", "US|Orlando", "US|Sacramento", "US|Kansas City",
    "US|Indianapolis", "US|Milwaukee", "US|Cincinnati", "US|Charlotte", "US|Portland",
    "CA|Toronto", "CA|Montreal|Montréal", "CA|Vancouver", "CA|Calgary", "CA|Ottawa",
    "MX|Mexico City|Ciudad de México|Ciudad de Mexico|Mexico-Stadt|Città del Messico", "MX|Monterrey", "MX|Guadalajara",
    /* elsewhere */
    "JP|Tokyo|Tokio", "JP|Osaka", "JP|Yokohama", "JP|Nagoya", "JP|Kyoto", "KR|Seoul",
    "CN|Shanghai", "CN|Beijing|Peking", "CN|Shenzhen", "IN|Mumbai", "IN|Bangalore|Bengaluru",
    "IN|New Delhi", "AU|Sydney", "AU|Melbourne", "AU|Brisbane", "AE|Dubai", "AE|Abu Dhabi",
    "IL|Tel Aviv", "ZA|Johannesburg", "ZA|Cape Town|Kapstadt", "BR|São Paulo|Sao Paulo",
    "BR|Rio de Janeiro",
    /* French-, Spanish- and Portuguese-speaking buyers' cities; names that are also words or
     * people's names (Tours, Nancy, Laval, Mendoza, Rosario, Córdoba, León, Cuenca) are left
     * out, and so are those of two countries (Valencia, Santiago, San José). */
    "FR|Rennes", "FR|Montpellier", "FR|Grenoble", "FR|Rouen", "FR|Reims", "FR|Toulon",
    "FR|Dijon", "FR|Angers", "FR|Clermont-Ferrand", "FR|Le Havre",
    "FR|Saint-Étienne|Saint-Etienne", "FR|Brest", "FR|Limoges", "FR|Metz",
    "FR|Besançon|Besancon", "FR|Perpignan", "FR|Orléans|Orleans", "FR|Caen", "FR|Mulhouse",
    "FR|Avignon", "FR|Cannes", "FR|Antibes", "FR|Aix-en-Provence", "FR|Annecy",
    "FR|Chambéry|Chambery", "FR|La Rochelle", "FR|Biarritz", "FR|Bayonne", "FR|Lorient",
    "FR|Vannes", "FR|Quimper", "FR|Poitiers", "FR|Amiens", "FR|Dunkerque|Dunkirk",
    "FR|Nîmes|Nimes", "FR|Béziers|Beziers", "FR|Versailles", "FR|Montreuil", "FR|Nanterre",
    "FR|Arles", "FR|Cavaillon", "FR|Colmar", "FR|Troyes", "FR|Valenciennes",
    "BE|Namur|Namen", "BE|Charleroi", "BE|Mons|Bergen", "BE|Leuven|Louvain",
    "BE|Bruges|Brugge", "BE|Mechelen|Malines", "BE|Hasselt", "BE|Tournai|Doornik",
    "BE|Wavre", "BE|Arlon", "CH|Sion|Sitten", "CH|Montreux", "CH|Vevey", "CH|Nyon",
    "CH|Yverdon-les-Bains|Yverdon", "CH|Biel|Bienne", "CH|La Chaux-de-Fonds",
    "ES|Alicante|Alacant", "ES|Palma de Mallorca|Palma", "ES|Las Palmas de Gran Canaria",
    "ES|Las Palmas", "ES|Santa Cruz de Tenerife", "ES|Valladolid", "ES|Vigo",
    "ES|A Coruña|La Coruña|A Coruna", "ES|Gijón|Gijon", "ES|Oviedo", "ES|Cádiz|Cadiz",
    "ES|Almería|Almeria", "ES|Huelva", "ES|Jaén|Jaen", "ES|Salamanca", "ES|Burgos",
    "ES|Pamplona|Iruña", "ES|San Sebastián|San Sebastian|Donostia", "ES|Vitoria-Gasteiz|Vitoria",
    "ES|Logroño|Logrono", "ES|Girona|Gerona", "ES|Tarragona", "ES|Lleida|Lérida",
    "ES|Castellón de la Plana|Castellón|Castellon", "ES|Algeciras", "ES|Marbella",
    "ES|Benidorm", "ES|Elche|Elx", "ES|Badajoz", "ES|Cáceres|Caceres", "ES|Albacete",
    "ES|Huesca", "ES|Teruel", "ES|Ourense|Orense", "ES|Pontevedra",
    "ES|Santiago de Compostela", "ES|Sabadell", "ES|Terrassa", "ES|Hospitalet de Llobregat",
    "CO|Bogotá|Bogota", "CO|Medellín|Medellin", "CO|Cali", "CO|Barranquilla",
    "CO|Bucaramanga", "CO|Cartagena de Indias", "EC|Quito", "EC|Guayaquil", "PE|Lima",
    "PE|Cusco|Cuzco", "CL|Santiago de Chile", "CL|Viña del Mar|Vina del Mar",
    "PY|Asunción|Asuncion", "BO|Santa Cruz de la Sierra", "VE|Caracas", "VE|Maracaibo",
    "PA|Panama City|Ciudad de Panamá|Ciudad de Panama", "GT|Guatemala City|Ciudad de Guatemala",
    "SV|San Salvador", "HN|Tegucigalpa", "NI|Managua", "DO|Santo Domingo",
    "CU|Havana|La Habana|Havanna", "MX|Tijuana", "MX|Toluca", "MX|Saltillo", "MX|Hermosillo",
    "MX|Culiacán|Culiacan", "MX|Acapulco", "MX|Puebla de Zaragoza", "UY|Punta del Este",
    "MA|Casablanca", "MA|Rabat", "MA|Marrakech|Marrakesh|Marrakesch", "MA|Fès|Fez|Fes",
    "MA|Tangier|Tanger|Tánger", "MA|Agadir", "MA|Meknès|Meknes", "MA|Oujda", "MA|Kénitra|Kenitra",
    "MA|Tétouan|Tetouan|Tetuán", "DZ|Algiers|Alger|Argel|Algier", "DZ|Oran", "CM|Douala",
    "CM|Yaoundé|Yaounde", "GA|Libreville", "ML|Bamako", "BF|Ouagadougou", "BJ|Cotonou",
    "TG|Lomé|Lome", "NE|Niamey", "GN|Conakry", "CD|Kinshasa", "CG|Brazzaville",
    "CA|Trois-Rivières|Trois-Rivieres", "CA|Sherbrooke", "CA|Gatineau", "CA|Longueuil",
    "CA|Saguenay", "CA|Winnipeg", "CA|Edmonton", "AD|Andorra la Vella",
    "AD|Escaldes-Engordany",
    /* Italian-, Dutch- and Flemish-speaking buyers' cities (Como, Pisa and Bari's neighbours
     * that are words in another language are left out) */
    "IT|Brescia", "IT|Bergamo", "IT|Padua|Padova", "IT|Vicenza", "IT|Treviso", "IT|Trento",
    "IT|Bolzano|Bozen", "IT|Udine", "IT|Trieste|Triest", "IT|Parma", "IT|Modena",
    "IT|Reggio Emilia", "IT|Piacenza", "IT|Ferrara", "IT|Ravenna", "IT|Rimini", "IT|Livorno",
    "IT|Lucca", "IT|Siena", "IT|Arezzo", "IT|Perugia", "IT|Ancona", "IT|Pescara", "IT|Bari",
    "IT|Lecce", "IT|Taranto", "IT|Brindisi", "IT|Foggia", "IT|Salerno", "IT|Caserta",
    "IT|Palermo", "IT|Catania", "IT|Messina", "IT|Cagliari", "IT|Sassari", "IT|Cremona",
    "IT|Mantua|Mantova", "IT|Pavia", "IT|Lecco", "IT|Varese", "IT|Monza", "IT|Novara",
    "IT|Alessandria", "IT|Cuneo", "IT|Biella", "IT|Aosta", "IT|La Spezia", "IT|Savona",
    "IT|Sanremo", "IT|Reggio Calabria", "IT|Cosenza", "IT|Matera", "IT|Prato", "IT|Pistoia",
    "NL|Leiden", "NL|Delft", "NL|Haarlem", "NL|Amersfoort", "NL|Almere", "NL|Arnhem",
    "NL|Nijmegen", "NL|Tilburg", "NL|Breda", "NL|'s-Hertogenbosch|Den Bosch", "NL|Zwolle",
    "NL|Enschede", "NL|Apeldoorn", "NL|Maastricht", "NL|Venlo", "NL|Dordrecht",
    "NL|Zoetermeer", "NL|Zaandam", "NL|Alkmaar", "NL|Leeuwarden", "NL|Hilversum",
    "NL|Deventer", "NL|Helmond", "NL|Roermond", "NL|Amstelveen", "NL|Schiphol",
    "BE|Kortrijk|Courtrai", "BE|Aalst|Alost", "BE|Oostende|Ostend|Ostende", "BE|Genk",
    "BE|Sint-Niklaas", "BE|Roeselare", "BE|Turnhout", "CH|Locarno", "CH|Bellinzona",
    "CH|Chiasso", "CH|Mendrisio",
};
/* clang-format on */
const size_t dw__n_city_names = sizeof dw__city_names / sizeof dw__city_names[0];

/* ---- every country a text names, with its role (legal.h) ------------------------------ */

/* Country adjectives, "CC|form|form*|...": a trailing '*' takes any ending (German and
 * Dutch inflections: "russisch*" reads russische, russischen, russischer); a leading '*'
 * must be capitalised in running text (English adjectives that are also words: "Polish",
 * "Turkish"). English, German, French, Spanish, Italian and Dutch forms for the countries
 * export control lists and the markets customers write from. */
static const char *const adjective_names[] = {
    "RU|russian|russisch*|russe|russes|ruso|rusa|rusos|rusas|russo|russa|russi",
    "BY|belarusian|belarussian|byelorussian|belarussisch*|weißrussisch*|weissrussisch*|"
    "bielorusse*|bielorruso|bielorrusa|bielorusso|bielorussa|wit-russisch*|witrussisch*",
    "IR|iranian|iranisch*|iranien*|irani|iraniano|iraniana|iraanse|iraans",
    "KP|north korean|nordkoreanisch*|nord-coreen*|norcoreano|norcoreana|nordcoreano|"
    "nordcoreana|noord-koreaans*",
    "CU|cuban|kubanisch*|cubain*|cubano|cubana|cubaans*",
    "SY|syrian|syrisch*|syrien|syrienne|sirio|siria|siriano|siriana",
    "CN|chinese|chinesisch*|chinois*|chino|cinese|cinesi|chinees",
    "VE|venezuelan|venezolanisch*|venezuelien*|venezolano|venezolana|venezuelano|venezuelana|"
    "venezolaans*",
    "MM|burmese|birmanisch*|birman*|birmano|birmana",
    "AF|afghan|afghanisch*|afghane*|afgano|afgana|afghaans*",
    "DE|german|deutsch*|allemand*|aleman|alemana|alemanes|tedesco|tedesca|tedeschi|tedesche|duits*",
    "NL|dutch|niederländisch*|niederlaendisch*|holländisch*|hollaendisch*|néerlandais*|"
    "hollandais*|neerlandes*|holandes*|olandese|olandesi|nederlands*",
    "FR|french|französisch*|franzoesisch*|français*|francais*|frances*|francese|francesi|frans*",
    "IT|italian|italienisch*|italien|italienne*|italiano|italiana|italiani|italiane|italiaans*",
    "ES|spanish|spanisch*|espagnol*|español*|espanol*|spagnolo|spagnola|spagnoli|spaans*",
    "AT|austrian|österreichisch*|oesterreichisch*|autrichien*|austriaco|austriaca|oostenrijks*",
    "CH|swiss|schweizer*|schweizerisch*|suisse*|suizo|suiza|svizzero|svizzera|zwitsers*",
    "BE|belgian|belgisch*|belge*|belga|belgi",
    "LU|luxembourgish|luxemburgisch*|luxembourgeois*|luxemburgues*|lussemburghese",
    "PL|*polish|polnisch*|polonais*|polaco|polaca|polacco|polacca|pools*",
    "CZ|czech|tschechisch*|tchèque*|checo|checa|ceco|ceca|tsjechisch*",
    "SK|slovak|slovakian|slowakisch*|slovaque*|eslovaco|slovacco|slowaaks*",
    "HU|hungarian|ungarisch*|hongrois*|húngaro|hungaro|ungherese|hongaars*",
    "RO|romanian|rumänisch*|rumaenisch*|roumain*|rumano|romeno|roemeens*",
    "BG|bulgarian|bulgarisch*|bulgare*|búlgaro|bulgaro|bulgaars*",
    "GR|greek|griechisch*|grec|grecque*|griego|greco|greca|grieks*",
    "PT|portuguese|portugiesisch*|portugais*|portugués|portugues|portoghese|portugees*",
    "SE|swedish|schwedisch*|suédois*|suedois*|sueco|sueca|svedese|zweeds*",
    "DK|danish|dänisch*|daenisch*|danois*|danés|danes|danese|deens*",
    "FI|finnish|finnisch*|finlandais*|finlandés|finlandes|finlandese|fins",
    "NO|norwegian|norwegisch*|norvégien*|norvegien*|noruego|norvegese|noors*",
    "IE|irish|irisch*|irlandais*|irlandés|irlandes|irlandese|iers*",
    "EE|estonian|estnisch*|estonien*",
    "LV|latvian|lettisch*|letton*",
    "LT|lithuanian|litauisch*|lituanien*",
    "SI|slovenian|slowenisch*|slovène*",
    "HR|croatian|kroatisch*|croate*",
    "IS|icelandic|isländisch*|islandais*",
    "GB|british|britisch*|britannique*|británico|britanico|britannico|brits*|scottish|welsh|"
    "*english|englisch*|anglais*|inglés|ingles|inglese|engels*",
    "US|american|amerikanisch*|américain*|americain*|estadounidense|americano|americana|"
    "statunitense|amerikaans*",
    "CA|canadian|kanadisch*|canadien*|canadiense|canadese|canadees*",
    "JP|japanese|japanisch*|japonais*|japonés|japones|giapponese|japans*",
    "KR|south korean|südkoreanisch*|suedkoreanisch*|sud-coréen*|surcoreano|sudcoreano|"
    "zuid-koreaans*",
    "IN|indian|indisch*|indien*|indio|indiano|indiaas*",
    "TR|*turkish|türkisch*|tuerkisch*|turc|turque*|turco|turca|turks*",
    "IL|israeli|israelisch*|israélien*|israelien*|israelí|israeliano|israëlisch*",
    "MX|mexican|mexikanisch*|mexicain*|mexicano|mexicana|messicano|mexicaans*",
    "BR|brazilian|brasilianisch*|brésilien*|bresilien*|brasileño|brasileno|brasiliano|"
    "braziliaans*",
    "AU|australian|australisch*|australien*|australiano|australiana|australisch*",
    "UA|ukrainian|ukrainisch*|ukrainien*|ucraniano|ucraino|oekraïens*",
    "SG|singaporean|singapurisch*|singapourien*",
    "SA|saudi|saudisch*|saoudien*|saudí|saudita",
    "AE|emirati|emiratisch*|émirati*",
};

/* Groups of countries that lie wholly or mostly in the EEA: they carry personal data of
 * people in the EEA for the DPA, but name no country for export control. */
static const char *const eea_group_names[] = {
    "EU|EU|European Union|Europäische Union|Union européenne|Unión Europea|Unione Europea|"
    "Europese Unie|EEA|EWR|EEE|SEE|Europe|Europa|DACH|D-A-CH|Benelux|Nordics|Scandinavia|"
    "Skandinavien|Western Europe|Westeuropa|Central Europe|Mitteleuropa",
};

enum mkind { MK_NAME, MK_REGION, MK_CITY, MK_ADJ, MK_GROUP };
enum { MF_ALLCAP = 1, MF_FIRSTCAP = 2, MF_PREFIX = 4 /* last token is a stem */ };
#define MAX_NAME_TOKS 8
struct malias {
    char code[3];
    uint8_t kind, flags, ntok;
    uint32_t tok[MAX_NAME_TOKS]; /* offsets of NUL-terminated folded words in m_pool */
};
static struct {
    struct malias *a; /* sorted by first word; prefix-first aliases at the end */
    size_t n, n_exact;
    /* the prefix-first aliases whose stem starts with byte c: [by_byte[c], by_byte[c + 1]) */
    size_t by_byte[257];
    char *pool;
    bool ok;
} m;
static pthread_once_t m_once = PTHREAD_ONCE_INIT;

static int add_alias(struct dw_buf *pool, struct malias *out, const char *cc, const char *s,
                     size_t len, int kind, int flags) {
    if (len && s[0] == '^')
        flags |= MF_ALLCAP, s++, len--;
    else if (len && s[0] == '*')
        flags |= MF_FIRSTCAP, s++, len--;
    if (len && s[len - 1] == '*')
        flags |= MF_PREFIX, len--;
    struct dw_buf f;
    dw_buf_init(&f, 0);
    if (dw_phrase_fold(s, len, &f) < 0) {
        dw_buf_release(&f);
        return -DW_ENOMEM;
    }
    memset(out, 0, sizeof *out);
    memcpy(out->code, cc, 2);
    out->kind = (uint8_t)kind;
    out->flags = (uint8_t)flags;
    int r = 0;
    for (char *w = f.data, *sp; w && *w && r == 0; w = sp ? sp + 1 : NULL) {
        sp = strchr(w, ' ');
        size_t wl = sp ? (size_t)(sp - w) : strlen(w);
        if (!wl)
            continue;
        if (out->ntok == MAX_NAME_TOKS) {
            out->ntok = 0; /* too long to be written in a message: left out */
            break;
        }
        out->tok[out->ntok++] = (uint32_t)pool->len;
        r = dw_buf_append(pool, w, wl) < 0 || dw_buf_append(pool, "", 1) < 0 ? -DW_ENOMEM : 0;
    }
    dw_buf_release(&f);
    return r;
}

static const char *m_word(const struct malias *a, size_t k) {
    return m.pool + a->tok[k];
}

static int cmp_alias(const void *x, const void *y) {
    const struct malias *a = x, *b = y;
    bool pa = a->ntok == 1 && (a->flags & MF_PREFIX), pb = b->ntok == 1 && (b->flags & MF_PREFIX);
    if (pa != pb)
        return pa ? 1 : -1;
    return strcmp(m_word(a, 0), m_word(b, 0));
}

static void m_init(void) {
    const struct {
        const char *const *v;
        size_t n;
        int kind;
    } tables[] = {
        {dw__country_names, dw__n_country_names, MK_NAME},
        {dw__region_names, dw__n_region_names, MK_REGION},
        {dw__city_names, dw__n_city_names, MK_CITY},
        {adjective_names, DW_ARRAY_SIZE(adjective_names), MK_ADJ},
        {eea_group_names, DW_ARRAY_SIZE(eea_group_names), MK_GROUP},
    };
    size_t cap = 0;
    for (size_t t = 0; t < DW_ARRAY_SIZE(tables); t++)
        for (size_t i = 0; i < tables[t].n; i++)
            for (const char *s = tables[t].v[i]; *s; s++)
                cap += *s == '|';
    struct dw_buf pool;
    dw_buf_init(&pool, 0);
    m.a = calloc(cap + 1, sizeof *m.a);
    if (!m.a)
        return;
    for (size_t t = 0; t < DW_ARRAY_SIZE(tables); t++)
        for (size_t i = 0; i < tables[t].n; i++) {
            const char *s = tables[t].v[i], *bar = strchr(s, '|');
            if (!bar || s[0] == '-') /* groups without a country are not countries */
                continue;
            int base = tables[t].kind == MK_REGION || tables[t].kind == MK_CITY ? MF_FIRSTCAP : 0;
            for (const char *p = bar + 1; *p;) {
                const char *e = strchr(p, '|');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (m.n < cap && add_alias(&pool, &m.a[m.n], s, p, len, tables[t].kind, base) < 0)
                    goto fail;
                if (m.n < cap && m.a[m.n].ntok)
                    m.n++;
                p += len + (e ? 1 : 0);
            }
        }
    if (dw_buf_append(&pool, "", 0) < 0)
        goto fail;
    m.pool = dw_buf_steal(&pool);
    qsort(m.a, m.n, sizeof *m.a, cmp_alias);
    for (m.n_exact = 0; m.n_exact < m.n; m.n_exact++)
        if (m.a[m.n_exact].ntok == 1 && (m.a[m.n_exact].flags & MF_PREFIX))
            break;
    /* sorted by stem, so the stems starting with one byte are one run */
    for (size_t c = 0, k = m.n_exact; c <= 256; c++) {
        while (k < m.n && (unsigned char)m_word(&m.a[k], 0)[0] < c)
            k++;
        m.by_byte[c] = k;
    }
    m.ok = true;
    return;
fail:
    dw_buf_release(&pool);
}

/* Does alias a match the words from i (within one sentence), honouring its case rule? */
static bool alias_at(const struct malias *a, const struct dw_ptext *t, size_t i) {
    if (i + a->ntok > t->n)
        return false;
    for (size_t k = 0; k < a->ntok; k++) {
        if (t->tok[i + k].sent != t->tok[i].sent)
            return false;
        bool stem = k + 1 == a->ntok && (a->flags & MF_PREFIX);
        if (stem ? !dw_ptoken_prefix(t, i + k, m_word(a, k))
                 : !dw_ptoken_is(t, i + k, m_word(a, k)))
            return false;
    }
    const unsigned char *s = (const unsigned char *)t->text;
    if (a->flags & MF_FIRSTCAP) {
        unsigned char c0 = s[t->tok[i].start];
        if (c0 >= 'a' && c0 <= 'z')
            return false;
        if (c0 == 0xC3 && s[t->tok[i].start + 1] >= 0xA0)
            return false; /* ä, ö, ü... in lower case */
    }
    if (a->flags & MF_ALLCAP)
        for (size_t p = t->tok[i].start; p < t->tok[i + a->ntok - 1].end; p++)
            if (s[p] >= 'a' && s[p] <= 'z')
                return false;
    return true;
}

/* The longest alias at i (names before regions, cities and adjectives on a tie). */
static const struct malias *best_alias(const struct dw_ptext *t, size_t i) {
    const struct malias *best = NULL;
    /* exact first words: binary search for the first alias whose first word is token i */
    size_t lo = 0, hi = m.n_exact;
    const char *w = t->folded + t->tok[i].fold;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(m_word(&m.a[mid], 0), w) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < m.n_exact && strcmp(m_word(&m.a[k], 0), w) == 0; k++)
        if (alias_at(&m.a[k], t, i) && (!best || m.a[k].ntok > best->ntok ||
                                        (m.a[k].ntok == best->ntok && m.a[k].kind < best->kind)))
            best = &m.a[k];
    /* a stem can only match a word with the same first byte (an empty stem, byte 0, any
     * word): only those runs, in the same order as the whole list */
    unsigned char c = (unsigned char)w[0];
    for (size_t k = m.by_byte[0]; !best && k < m.by_byte[1]; k++)
        if (alias_at(&m.a[k], t, i))
            best = &m.a[k];
    for (size_t k = m.by_byte[c]; !best && c && k < m.by_byte[c + 1]; k++)
        if (alias_at(&m.a[k], t, i))
            best = &m.a[k];
    return best;
}

/* Cue words, folded. A trailing '*' is a stem. */
static const char *const cue_established[] = {
    "based",        "headquartered", "headquarters", "hq",          "registered", "incorporated",
    "domiciled",    "company",       "companies",    "firm",        "business",   "buyer",
    "organisation", "organization",  "enterprise",   "corporation", "group",      "operator",
    "utility",      "retailer",      "distributor",  "chain",       "sitz",       "ansassig",
    "firmensitz",   "hauptsitz",     "unternehmen",  "firma",       "konzern",    "aus",
    "siege",        "basee*",        "etabli*",      "entreprise",  "societe",    "sede",
    "empresa",      "establecid*",   "azienda",      "societa",     "gevestigd",  "bedrijf",
    "onderneming",  "uit",
};
static const char *const cue_site[] = {
    "office*",      "site*",        "plant*",         "branch*",      "store*",
    "shop*",        "warehouse*",   "factor*",        "facilit*",     "location*",
    "subsidiar*",   "depot*",       "clinic*",        "hospital*",    "mine*",
    "substation*",  "station*",     "terminal*",      "centre*",      "center*",
    "sawmill*",     "mills",        "refiner*",       "restaurant*",  "hotel*",
    "school*",      "lab",          "labs",           "laborator*",   "rechenzentr*",
    "employee*",    "staff",        "worker*",        "colleague*",   "team*",
    "operation*",   "operate*",     "presence",       "campus*",      "users",
    "people",       "standort*",    "niederlassung*", "werk",         "werke",
    "werken",       "werks",        "filiale*",       "buro*",        "bueros",
    "mitarbeiter*", "beschaftigt*", "fabrik*",        "lager",        "tochter*",
    "usine*",       "bureau*",      "succursale*",    "entrepot*",    "magasin*",
    "salarie*",     "employe*",     "collaborateur*", "agence*",      "oficina*",
    "planta*",      "fabrica*",     "sucursal*",      "filial*",      "almacen*",
    "tienda*",      "empleado*",    "sedi",           "stabiliment*", "uffic*",
    "magazzin*",    "negozi*",      "dipendent*",     "fabbric*",     "vestiging*",
    "kantor*",      "kantoor",      "fabriek*",       "filiaal",      "magazijn*",
    "winkel*",      "medewerker*",  "werknemer*",
};
static const char *const cue_delivery[] = {
    "ship*",    "deliver*",   "export*",     "install*",   "deploy*",  "rollout",   "send",
    "sent",     "destined",   "destination", "transport*", "liefer*",  "geliefert", "versand*",
    "versend*", "verschick*", "livr*",       "expedi*",    "envoy*",   "envi*",     "entreg*",
    "instal*",  "consegn*",   "spedi*",      "lever*",     "geleverd", "verzend*",  "verzonden",
};
static const char *const cue_end_use[] = {
    "use",     "used",       "using",   "end", "enduser*", "endverbleib", "endkunde*", "endnutzer*",
    "einsatz", "eingesetzt", "utilis*", "uso", "usad*",    "utilizz*",    "gebruik*",
};
static const char *const cue_other[] = {
    "supplier*",    "vendor*",     "manufacturer*", "competitor*",  "competition", "rival*",
    "partner*",     "customers",   "clients",       "made",         "produced",    "sourced",
    "imported",     "visit*",      "trip",          "conference",   "fair",        "holiday*",
    "vacation",     "previous*",   "former*",       "lieferant*",   "zuliefer*",   "hersteller*",
    "wettbewerb*",  "konkurrent*", "kunden",        "fournisseur*", "fabricant*",  "concurrent*",
    "proveedor*",   "fabricante*", "competidor*",   "fornitor*",    "produttor*",  "concorrent*",
    "leverancier*", "fabrikant*",  "speaking",      "language*",    "speaker*",    "translation*",
    "version",      "sprache*",    "sprachig*",     "langue*",      "idioma*",     "lingua*",
    "taal",         "talig*",
};
static const char *const cue_negation[] = {
    "no",          "not",      "never",  "without", "none",   "nor",     "t",      "except",
    "excluding",   "excluded", "kein*",  "nicht",   "nie",    "niemals", "ohne",   "ausser",
    "ausgenommen", "pas",      "jamais", "sans",    "aucun*", "sauf",    "sin",    "nunca",
    "ningun*",     "excepto",  "non",    "mai",     "senza",  "nessun*", "tranne", "geen",
    "niet",        "nooit",    "zonder", "behalve",
};
static const char *const cue_copula[] = {"are",  "re", "sind", "sommes", "somos", "siamo",
                                         "zijn", "is", "ist",  "est",    "es",    "e"};
static const char *const prep_delivery[] = {"to", "nach", "naar", "vers", "into"};
static const char *const prep_end_use[] = {"for", "fur", "pour", "para", "per", "voor"};

static bool in_words(const struct dw_ptext *t, size_t i, const char *const *v, size_t n) {
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(v[k]);
        if (v[k][l - 1] == '*') {
            char stem[32];
            if (l - 1 >= sizeof stem)
                continue;
            memcpy(stem, v[k], l - 1);
            stem[l - 1] = 0;
            if (dw_ptoken_prefix(t, i, stem))
                return true;
        } else if (dw_ptoken_is(t, i, v[k])) {
            return true;
        }
    }
    return false;
}
#define IN(t, i, v) in_words(t, i, v, DW_ARRAY_SIZE(v))

/* The role of a cue word, or NULL. */
static const char *cue_role(const struct dw_ptext *t, size_t k) {
    if (IN(t, k, cue_other))
        return "other";
    if (IN(t, k, cue_delivery))
        return "delivery";
    if (IN(t, k, cue_end_use))
        return "end_use";
    if (IN(t, k, cue_site))
        return "site";
    if (IN(t, k, cue_established))
        return "established";
    return NULL;
}

#define CUE_WINDOW 8

/* "We are a manufacturer in Russia": an "other" noun the buyer says it is. */
static bool said_of_self(const struct dw_ptext *t, size_t k) {
    for (size_t d = k; d-- > 0 && k - d <= 3 && t->tok[d].sent == t->tok[k].sent;)
        if (IN(t, d, cue_copula))
            return true;
    return false;
}

/* The mention before, in the same sentence: an enumeration shares its cue ("5 in the
 * Netherlands and one in Latakia, Syria"). */
struct prev_mention {
    const char *role; /* NULL: none */
    size_t end, cue;
    uint32_t sent;
};

/* The role of the mention at words [i, e); *ret_cue the word that gave it (SIZE_MAX: none). */
static const char *role_of(const struct dw_ptext *t, size_t i, size_t e, bool adjective,
                           const struct prev_mention *pv, size_t *ret_cue) {
    uint32_t s = t->tok[i].sent;
    *ret_cue = SIZE_MAX;
    /* a negation or exception before it in the sentence (nearby) */
    for (size_t d = i; d-- > 0 && i - d <= CUE_WINDOW && t->tok[d].sent == s;)
        if (IN(t, d, cue_negation)) {
            *ret_cue = d;
            return "negated";
        }
    { /* "a Dutch company", "Chinese supplier", "Russian-speaking", "the US team" */
        for (size_t k = e; k < e + (adjective ? 2 : 1) && k < t->n && t->tok[k].sent == s; k++) {
            const char *r = cue_role(t, k);
            if (!r)
                continue;
            bool verb = strcmp(r, "delivery") == 0 || strcmp(r, "end_use") == 0;
            if (verb && !adjective)
                break; /* "employees in Germany use": the words before it tell */
            *ret_cue = k;
            if (strcmp(r, "other") == 0 && said_of_self(t, i))
                return "established";
            return verb ? "mention" : r;
        }
    }
    if (i > 0 && t->tok[i - 1].sent == s) {
        *ret_cue = i - 1;
        if (IN(t, i - 1, prep_delivery))
            return "delivery";
        if (IN(t, i - 1, prep_end_use))
            return "end_use";
        *ret_cue = SIZE_MAX;
    }
    for (size_t d = i; d-- > 0 && i - d <= CUE_WINDOW && t->tok[d].sent == s;) {
        if (pv->role && pv->sent == s && d < pv->end) {
            *ret_cue = pv->cue;
            return pv->role;
        }
        const char *r = cue_role(t, d);
        if (!r)
            continue;
        *ret_cue = d;
        if (strcmp(r, "other") == 0 && said_of_self(t, d))
            return "established";
        return r;
    }
    return "mention";
}

bool dw_country_role_touches(const char *role) {
    return role && (strcmp(role, "established") == 0 || strcmp(role, "site") == 0 ||
                    strcmp(role, "delivery") == 0 || strcmp(role, "end_use") == 0);
}

int dw_country_mentions(const char *text, size_t len, json_t **ret) {
    *ret = NULL;
    if (len > DW_LEGAL_MAX_TEXT)
        return -DW_ETOOBIG;
    pthread_once(&m_once, m_init);
    if (!m.ok)
        return -DW_ENOMEM;
    struct dw_ptext t;
    if (dw_ptext_init(&t, text, len) < 0)
        return -DW_ENOMEM;
    json_t *out = json_array();
    int r = out ? 0 : -DW_ENOMEM;
    static const char *const via[] = {"name", "region", "city", "adjective", "group"};
    /* "Georgia" is the US state when a US state or city is named too (as in extract.c) */
    bool us_named = false;
    for (size_t i = 0; i < t.n && !us_named; i++) {
        const struct malias *a = best_alias(&t, i);
        us_named = a && (a->kind == MK_REGION || a->kind == MK_CITY) && strcmp(a->code, "US") == 0;
    }
    struct prev_mention pv = {0};
    for (size_t i = 0; r == 0 && i < t.n;) {
        const struct malias *a = best_alias(&t, i);
        bool us_state = us_named && a && a->kind == MK_NAME && strcmp(a->code, "GE") == 0 &&
                        dw_ptoken_is(&t, i, "georgia");
        if (!a || (a->kind == MK_NAME && i > 0 && dw_ptoken_is(&t, i - 1, "new") &&
                   t.tok[i - 1].sent == t.tok[i].sent)) {
            i++;
            continue;
        }
        size_t e = i + a->ntok;
        size_t cue;
        const char *role = role_of(&t, i, e, a->kind == MK_ADJ, &pv, &cue);
        pv = (struct prev_mention){role, e, cue, t.tok[i].sent};
        size_t s0 = t.tok[i].start, s1 = t.tok[e - 1].end;
        json_t *o = json_pack("{s:s,s:s,s:s,s:s%,s:[I,I]}", "code", us_state ? "US" : a->code,
                              "via", via[us_state ? MK_REGION : a->kind], "role", role, "text",
                              text + s0, s1 - s0, "span", (json_int_t)s0, (json_int_t)s1);
        if (o && cue != SIZE_MAX &&
            json_object_set_new(
                o, "cue",
                json_stringn(text + t.tok[cue].start, t.tok[cue].end - t.tok[cue].start)) < 0)
            r = -DW_ENOMEM;
        if (!o || json_array_append_new(out, o) < 0)
            r = -DW_ENOMEM;
        i = e;
    }
    dw_ptext_release(&t);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *ret = out;
    return 0;
}
