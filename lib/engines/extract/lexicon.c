/* The nouns customers use for the things a catalog counts, in English, German, French,
 * Spanish, Italian and Dutch: the kinds of premises that are "sites" to a network vendor
 * (supermarkets, bakeries, Filialen, magasins, sucursales, negozi, winkels...) and the
 * words for the people who are "users" (employees, Beschäftigte, salariés, empleados...).
 *
 * The workspace decides what it counts: a concept below extends the catalog unit that
 * already names it (the unit listing "site" or "sites" gets the premises; the unit listing
 * "user", "users" or "employees" gets the people). A catalog without such a unit gets
 * nothing from here. docs/internals/extraction.md ("Units") describes the rules.
 *
 * One string per concept and language: "concept|lang|form|form|...". Every form is
 * written out, singular and plural (the extractor also matches English plurals by rule,
 * but not the Romance or Dutch ones). German and Dutch forms are also heads of compounds:
 * "Supermarktfilialen" counts as "Filialen", "kledingwinkels" as "winkels" (at least three
 * letters before the head). A few Romance number words are also common words elsewhere
 * (Spanish "once", Italian "due", "sei"): they count only before a noun of their language.
 */
#include <stddef.h>

#include "base/base.h"

extern const char *const dw__unit_lexicon[];
extern const size_t dw__n_unit_lexicon;
extern const char *const dw__compound_stop[];
extern const size_t dw__n_compound_stop;

/* clang-format off */
const char *const dw__unit_lexicon[] = {
    "site|en|site|sites|location|locations|premises|branch|branches|store|stores|shop|shops|"
    "outlet|outlets|supermarket|supermarkets|hypermarket|hypermarkets|bakery|bakeries|"
    "lab|labs|laboratory|laboratories|pharmacy|pharmacies|drugstore|drugstores|clinic|clinics|"
    "practice|practices|surgery|surgeries|hospital|hospitals|hotel|hotels|motel|motels|"
    "resort|resorts|school|schools|campus|campuses|depot|depots|terminal|terminals|"
    "substation|substations|sawmill|sawmills|mill|mills|warehouse|warehouses|plant|plants|"
    "factory|factories|facility|facilities|office|offices|restaurant|restaurants|cafe|cafes|"
    "café|cafés|bookshop|bookshops|bookstore|bookstores|boutique|boutiques|showroom|showrooms|"
    "dealership|dealerships|gym|gyms|centre|centres|center|centers|care home|care homes|"
    "nursing home|nursing homes|filling station|filling stations|petrol station|"
    "petrol stations|gas station|gas stations|service station|service stations|agency|agencies|"
    "library|libraries|optician|opticians|garage|garages|venue|venues|college|colleges|"
    "nursery|nurseries|kindergarten|kindergartens|branch office|branch offices|"
    "care facility|care facilities|franchise|franchises",
    "site|de|Standort|Standorte|Standorten|Filiale|Filialen|Niederlassung|Niederlassungen|"
    "Zweigstelle|Zweigstellen|Außenstelle|Außenstellen|Aussenstelle|Aussenstellen|"
    "Betriebsstätte|Betriebsstätten|Lagerhalle|Lagerhallen|Liegenschaft|Liegenschaften|"
    "Werk|Werke|Werken|Markt|Märkte|Märkten|Geschäft|Geschäfte|Geschäften|Laden|Läden|"
    "Apotheke|Apotheken|Bäckerei|Bäckereien|Praxis|Praxen|Klinik|Kliniken|Krankenhaus|"
    "Krankenhäuser|Krankenhäusern|Schule|Schulen|Hotel|Hotels|Lager|Lagern|Depot|Depots|"
    "Terminal|Terminals|Büro|Büros|Betrieb|Betriebe|Betrieben|Labor|Labore|Laboren|"
    "Tankstelle|Tankstellen|Autohaus|Autohäuser|Autohäusern|Kaufhaus|Kaufhäuser|Warenhaus|"
    "Warenhäuser|Restaurant|Restaurants|Fabrik|Fabriken|Heim|Heime|Heimen|Zentrum|Zentren|"
    "Werkstatt|Werkstätten|Kita|Kitas|Geschäftsstelle|Geschäftsstellen|Kanzlei|Kanzleien|"
    "Bibliothek|Bibliotheken|Agentur|Agenturen|Einrichtung|Einrichtungen|Häuser|"
    "Häusern|Supermarkt|Supermärkte|Supermärkten|Campus|Studio|Studios|Wache|Wachen|MVZ|"
    "Versorgungszentrum|Versorgungszentren|Pflegeheim|Pflegeheime|Pflegeheimen",
    "site|fr|site|sites|magasin|magasins|boutique|boutiques|agence|agences|succursale|"
    "succursales|filiale|filiales|établissement|établissements|boulangerie|boulangeries|"
    "pharmacie|pharmacies|clinique|cliniques|cabinet|cabinets|laboratoire|laboratoires|"
    "hôpital|hôpitaux|hôtel|hôtels|école|écoles|lycée|lycées|entrepôt|entrepôts|dépôt|"
    "dépôts|usine|usines|bureau|bureaux|point de vente|points de vente|supermarché|"
    "supermarchés|hypermarché|hypermarchés|restaurant|restaurants|terminal|terminaux|"
    "scierie|scieries|implantation|implantations|station-service|stations-service|"
    "librairie|librairies|supérette|supérettes|superette|superettes|médiathèque|"
    "médiathèques|mediatheque|mediatheques|bibliothèque|bibliothèques|concession|"
    "concessions|EHPAD|EMS|résidence|résidences|maison de retraite|maisons de retraite|"
    "station|stations|centre|centres|collège|collèges|crèche|crèches|mairie|mairies|"
    "garage|garages|atelier|ateliers|officine|officines|salle de sport|salles de sport|"
    "magazin|magazins|campus|cinéma|cinémas",
    "site|es|sede|sedes|sucursal|sucursales|tienda|tiendas|almacén|almacenes|almacen|oficina|"
    "oficinas|delegación|delegaciones|planta|plantas|fábrica|fábricas|fabrica|fabricas|"
    "farmacia|farmacias|clínica|clínicas|clinica|clinicas|hospital|hospitales|hotel|hoteles|"
    "escuela|escuelas|colegio|colegios|supermercado|supermercados|panadería|panaderías|"
    "panaderia|panaderias|laboratorio|laboratorios|sitio|sitios|emplazamiento|"
    "emplazamientos|ubicación|ubicaciones|punto de venta|puntos de venta|restaurante|"
    "restaurantes|gasolinera|gasolineras|centro|centros|establecimiento|establecimientos|"
    "aserradero|aserraderos|terminal|terminales|depósito|depósitos|gimnasio|gimnasios|"
    "agencia|agencias|óptica|ópticas|optica|opticas|residencia|residencias|"
    "concesionario|concesionarios|concesionaria|concesionarias|biblioteca|bibliotecas|"
    "librería|librerías|libreria|librerias|campus|consultorio|consultorios|local|locales|"
    "hipermercado|hipermercados|estación|estaciones|estacion|bodega|bodegas|franquicia|"
    "franquicias|nave|naves|guardería|guarderías|cafetería|cafeterías|"
    "instituto|institutos|hostal|hostales|cine|cines",
    "site|it|cantina|cantine|sportello|sportelli|sede|sedi|filiale|filiali|negozio|negozi|punto vendita|punti vendita|magazzino|"
    "magazzini|sito|siti|stabilimento|stabilimenti|ufficio|uffici|farmacia|farmacie|clinica|"
    "cliniche|ospedale|ospedali|albergo|alberghi|hotel|scuola|scuole|supermercato|"
    "supermercati|panificio|panifici|laboratorio|laboratori|deposito|depositi|impianto|"
    "impianti|ristorante|ristoranti|agenzia|agenzie|succursale|succursali|centro|centri|"
    "segheria|segherie|terminal|cantiere|cantieri|struttura|strutture|sottostazione|"
    "sottostazioni|studio medico|studi medici|poliambulatorio|poliambulatori|ambulatorio|"
    "ambulatori|resort|campus|palestra|palestre|ottica|ottiche|residenza|residenze|RSA|"
    "concessionaria|concessionarie|concessionario|concessionari|biblioteca|biblioteche|"
    "libreria|librerie|stazione|stazioni|distributore|distributori|locale|locali|polo|poli|"
    "casa di riposo|case di riposo|asilo|asili|plesso|plessi|istituto|istituti|capannone|"
    "capannoni|officina|officine|studio|studi|albergo diffuso|cinema|ipermercato|"
    "ipermercati",
    "site|nl|site|sites|locatie|locaties|vestiging|vestigingen|winkel|winkels|filiaal|filialen|"
    "kantoor|kantoren|fabriek|fabrieken|magazijn|magazijnen|apotheek|apotheken|bakkerij|"
    "bakkerijen|kliniek|klinieken|praktijk|praktijken|ziekenhuis|ziekenhuizen|hotel|hotels|"
    "school|scholen|supermarkt|supermarkten|depot|depots|tankstation|tankstations|"
    "laboratorium|laboratoria|lab|labs|centrum|centra|restaurant|restaurants|onderstation|"
    "onderstations|terminal|terminals|werkplaats|werkplaatsen|zagerij|zagerijen|campus|"
    "campussen|bibliotheek|bibliotheken|pand|panden|garage|garages|huizen|"
    "opticien|opticiens|sportschool|sportscholen|showroom|showrooms|kinderdagverblijf|"
    "kinderdagverblijven|station|stations|winkelpand|zorglocatie|zorglocaties",
    "users|en|employee|employees|staff|staff members|people|workers|colleagues|users|seats",
    "users|de|Mitarbeiter|Mitarbeitern|Mitarbeitende|Mitarbeitenden|Beschäftigte|"
    "Beschäftigten|Angestellte|Angestellten|Nutzer|Nutzern|Benutzer|Benutzern|Anwender|"
    "Anwendern|Kollegen",
    "users|fr|salarié|salariés|employé|employés|collaborateur|collaborateurs|collaboratrices|"
    "utilisateur|utilisateurs|personnes",
    "users|es|empleado|empleados|trabajador|trabajadores|usuario|usuarios|colaboradores|"
    "personas",
    "users|it|dipendente|dipendenti|collaboratori|utente|utenti|addetti|persone|tecnici|"
    "operatori",
    "users|nl|medewerker|medewerkers|werknemer|werknemers|gebruiker|gebruikers|"
    "personeelsleden",
};
/* clang-format on */
const size_t dw__n_unit_lexicon = DW_ARRAY_SIZE(dw__unit_lexicon);

/* Words that end like a head above but are not premises: "Netzwerke" is no "Werke". */
const char *const dw__compound_stop[] = {
    "netzwerk",     "netzwerke",   "netzwerken",    "handwerk",      "regelwerk",   "bauwerk",
    "bauwerke",     "kunstwerk",   "kunstwerke",    "feuerwerk",     "laufwerk",    "laufwerke",
    "uhrwerk",      "netwerk",     "netwerken",     "kugellager",    "datacentrum", "datacentra",
    "rekencentrum", "rekencentra", "rechenzentrum", "rechenzentren",
};
const size_t dw__n_compound_stop = DW_ARRAY_SIZE(dw__compound_stop);
