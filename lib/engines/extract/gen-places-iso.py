#!/usr/bin/python3
"""Generate the extractor's place names from Debian's iso-codes.

    lib/engines/extract/gen-places-iso.py [ISO_CODES_DIR [LOCALE_DIR]]

Writes, next to this script, two files that countries.c includes (committed, so a build
needs no iso-codes; run this again when iso-codes moves):

  places-iso-countries.inc   country names in German, French, Spanish, Italian and Dutch
                             (iso_3166-1 and its translations) that the hand-written table
                             in countries.c lacks: "MA|*Maroc|*Marruecos|...". Each must be
                             written with a capital in running text.
  places-iso-regions.inc     the first-level subdivisions (ISO 3166-2) of the countries
                             customers write from, with their names in the six languages:
                             "ES|Canarias|Canaries|Kanaren|...".

A generated name is left out when the hand-written tables already have it (they win: their
aliases, cities and regions are chosen by hand), when it names places in two countries
("La Rioja", "Limburg", "Distrito Federal"), when it is a country's name, when it is also a
common word or a person's name in one of the six languages (STOP below), or when it is
shorter than four letters.
"""
import gettext
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = ['de', 'fr', 'es', 'it', 'nl']

# Countries whose first-level subdivisions are read, and the ISO 3166-2 types taken for
# those with several levels (None: every entry without a parent).
SUBDIVIDED = {
    'DE': None, 'AT': None, 'CH': None, 'BE': None, 'NL': {'Province'}, 'IT': None,
    'ES': None, 'PT': None, 'IE': {'Province'}, 'US': {'State', 'District'}, 'CA': None,
    'MX': None, 'AR': None, 'CL': None, 'CO': None, 'PE': None, 'EC': None, 'UY': None,
    'BO': None, 'PY': {'Department'}, 'CR': None, 'PA': {'Province'}, 'GT': None,
    'MA': {'Region'}, 'SN': None, 'TN': None, 'CI': None,
    'FR': {'Metropolitan region', 'Overseas region', 'Metropolitan collectivity with special status'},
}
# Subdivisions of BE that have a parent: the provinces.
WITH_PARENT = {'BE'}

# Common words and people's names among subdivision and country names, in any of the six
# languages: "Meta" (goal), "Salta" (jumps), "Miranda", "Guerrero", "Dominique", "Maurice".
STOP = {
    'central', 'capital', 'centre', 'center', 'nord', 'sud', 'est', 'ouest', 'norte', 'sur',
    'este', 'oeste', 'oriente', 'occidente', 'colonia', 'rivera', 'salto', 'flores',
    'durazno', 'soriano', 'cordillera', 'misiones', 'mendoza', 'salta', 'corrientes',
    'formosa', 'atlántico', 'atlantico', 'magdalena', 'caldas', 'cesar', 'meta', 'santander',
    'la libertad', 'loreto', 'san martín', 'san martin', 'madre de dios', 'el oro',
    'los ríos', 'los rios', 'esmeraldas', 'orellana', 'santa elena', 'guerrero', 'hidalgo',
    'morelos', 'sonora', 'miranda', 'lara', 'vargas', 'trujillo', 'falcón', 'bolívar',
    'sucre', 'portuguesa', 'guarda', 'faro', 'beja', 'dominique', 'maurice', 'mauricio',
    'maurizio', 'jordan', 'chad', 'georgia', 'salvador', 'el salvador', 'israel', 'niger',
    'togo', 'china', 'turkey', 'guinea', 'jersey', 'man', 'chili', 'panamá', 'panama',
    'granada', 'grenade', 'cuba', 'colombia', 'valencia', 'libertador', 'san josé',
    'san jose', 'alajuela', 'heredia', 'limón', 'limon', 'puntarenas', 'cartago', 'colón',
    'colon', 'herrera', 'coclé', 'veraguas', 'los santos', 'darién', 'chiriquí', 'santa rosa',
    'escuintla', 'jutiapa', 'petén', 'quiché', 'el progreso', 'zacapa', 'sololá',
    'baja verapaz', 'alta verapaz', 'totonicapán', 'amambay', 'canindeyú', 'presidente hayes',
    'boquerón', 'itapúa', 'caaguazú', 'paraguarí', 'guairá', 'concepción', 'concepcion',
    'san pedro', 'ñeembucú', 'caazapá', 'alto paraná', 'alto paraguay', 'beni', 'pando',
    'oruro', 'potosí', 'tarija', 'chuquisaca', 'cochabamba', 'la paz', 'santa cruz', 'lima',
    'ica', 'piura', 'cusco', 'callao', 'pasco', 'puno', 'tacna', 'tumbes', 'napo', 'loja',
    'cañar', 'carchi', 'azuay', 'guayas', 'manabí', 'pastaza', 'bolivar', 'córdoba',
    'cordoba', 'florida', 'maldonado', 'canelones', 'artigas', 'lavalleja', 'rocha',
    'tacuarembó', 'treinta y tres', 'cerro largo', 'paysandú', 'san luis', 'chaco', 'chubut',
    'jujuy', 'neuquén', 'la pampa', 'catamarca', 'tucumán', 'santiago del estero', 'san juan',
    'entre ríos', 'tierra del fuego', 'buenos aires', 'ciudad autónoma de buenos aires',
    'antártida e islas del atlántico sur', 'coquimbo', 'atacama', 'maule', 'ñuble', 'biobío',
    'los lagos', 'aisén', 'arica y parinacota', 'tarapacá', 'la araucanía', 'los ríos',
    'valparaíso', 'campeche', 'colima', 'durango', 'nayarit', 'puebla', 'sinaloa', 'tabasco',
    'tlaxcala', 'zacatecas', 'méxico', 'mexico', 'chihuahua', 'aguascalientes', 'veracruz',
    'yucatán', 'quintana roo', 'san luis potosí', 'querétaro', 'tamaulipas', 'coahuila',
    'michoacán', 'oaxaca', 'chiapas', 'jalisco', 'guanajuato', 'baja california',
    'baja california sur', 'nuevo león', 'ciudad de méxico', 'huila', 'tolima', 'cauca',
    'chocó', 'nariño', 'arauca', 'casanare', 'vichada', 'guainía', 'guaviare', 'vaupés',
    'amazonas', 'putumayo', 'caquetá', 'quindío', 'risaralda', 'boyacá', 'cundinamarca',
    'la guajira', 'norte de santander', 'valle del cauca', 'antioquia', 'distrito capital de bogotá',
    'sucumbíos', 'imbabura', 'cotopaxi', 'chimborazo', 'tungurahua', 'galápagos', 'pichincha',
    'morona santiago', 'zamora chinchipe', 'santo domingo de los tsáchilas', 'los ríos',
    'el oro', 'áncash', 'apurímac', 'arequipa', 'ayacucho', 'cajamarca', 'huancavelica',
    'huánuco', 'junín', 'lambayeque', 'moquegua', 'ucayali', 'lima metropolitana',
    'la libertad', 'san martín', 'amazonas', 'vienne', 'santiago', 'flamande', 'wallonne',
    'valenciana', 'jura', 'lacs', 'montagnes', 'savanes', 'lagunes', 'san marcos',
    'la réunion', 'réunion', 'riunione', 'centrale', 'cordillère', 'oriental', "l'oriental",
    'regione orientale', 'washington', 'saint-louis', 'christmas', 'salomon', 'island',
    'guadalupe', 'guadeloupe', 'marcas', 'sarre', 'berna', 'el callao', 'lima (stad)',
}
# The Spanish-speaking countries' subdivisions are named by whole words customers rarely use
# outside the place; the list above keeps back those that are also words or names, and the
# long tail of small ones, which a site count never follows. These are kept: the ones a
# customer writes ("sucursales en Antioquia" is in the city list through Medellín instead).
KEEP_ANYWAY = {
    'antioquia', 'valle del cauca', 'cundinamarca', 'pichincha', 'guayas', 'arequipa',
    'jalisco', 'nuevo león', 'guanajuato', 'yucatán', 'quintana roo', 'baja california',
    'chihuahua', 'coahuila', 'querétaro', 'veracruz', 'valparaíso', 'biobío', 'coquimbo',
    'la araucanía', 'buenos aires', 'tucumán', 'neuquén', 'canelones', 'maldonado',
    'cochabamba', 'aguascalientes', 'tamaulipas', 'michoacán', 'oaxaca', 'chiapas',
    'ciudad de méxico', 'san luis potosí', 'santiago del estero', 'entre ríos',
}


def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s.lower())
                   if unicodedata.category(c) != 'Mn').replace('’', "'")


def unaccented(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s)
                   if unicodedata.category(c) != 'Mn')


def hand_names(path):
    """Every name in the hand-written tables of countries.c, lower-cased (the extractor
    matches accents as written, so "Sénégal" is not "Senegal")."""
    text = open(path, encoding='utf-8').read()
    text = re.sub(r'"\s*\n\s*"', '', text)  # adjacent literals
    names = set()
    for lit in re.findall(r'"([A-Z-]{2}\|[^"]*)"', text):
        for a in lit[3:].split('|'):
            names.add(a.lstrip('^*').lower())
    return names


def variants(name):
    """The forms a customer writes of one iso-codes name: "Catalunya [Cataluña]" is both,
    "A;B" both, "wallonne, Région" is "Région wallonne", "Wallonia, Region" is "Wallonia"."""
    out = []
    for part in re.split(r'\s*;\s*', name):
        m = re.match(r'^(.*?)\s*\[(.*)\]$', part)
        parts = [m.group(1), m.group(2)] if m else [part]
        for p in parts:
            if ', ' in p:
                a, b = p.split(', ', 1)
                p = a if a[:1].isupper() else f'{b} {a}'
            p = re.sub(r'\s*\([^)]*\)', '', p).replace('*', '').strip().replace('’', "'")
            if p:
                out.append(p)
                if unaccented(p) != p:
                    out.append(unaccented(p))  # "Baviere", "Senegal" as typed
    return out


def ok(name):
    f = fold(name)
    return (len(re.sub(r'[^a-z]', '', f)) >= 4 and f not in {fold(s) for s in STOP}) \
        or f in {fold(s) for s in KEEP_ANYWAY}


def main():
    iso = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/iso-codes/json'
    loc = sys.argv[2] if len(sys.argv) > 2 else '/usr/share/locale'
    hand = hand_names(os.path.join(HERE, 'countries.c'))
    tr1 = {l: gettext.translation('iso_3166-1', loc, languages=[l]) for l in LANGS}
    tr2 = {l: gettext.translation('iso_3166-2', loc, languages=[l]) for l in LANGS + ['en']}
    countries = json.load(open(os.path.join(iso, 'iso_3166-1.json')))['3166-1']
    subs = json.load(open(os.path.join(iso, 'iso_3166-2.json')))['3166-2']
    version = os.popen("dpkg-query -W -f '${Version}' iso-codes 2>/dev/null").read() or '?'

    # countries: every translation of the name and the common name
    country_names = {}
    owners = {}
    for c in countries:
        forms = []
        for key in ('name', 'common_name'):
            if key in c:
                for l in LANGS:
                    forms += variants(tr1[l].gettext(c[key]))
        seen = []
        for f in forms:
            if f.lower() not in [s.lower() for s in seen]:
                seen.append(f)
        country_names[c['alpha_2']] = seen
        for f in seen:
            owners.setdefault(fold(f), set()).add(c['alpha_2'])
    all_country = set(owners) | {fold(h) for h in hand}
    crow = []
    for c in countries:
        cc = c['alpha_2']
        new = [f for f in country_names[cc]
               if f.lower() not in hand and len(owners[fold(f)]) == 1 and ok(f)
               and not re.search(r'[(),]', f)]
        if new:
            crow.append(f'"{cc}|' + '|'.join('*' + f for f in new) + '",')

    # subdivisions: their own name and its translations in the six languages
    rows, owner = {}, {}
    for s in subs:
        cc = s['code'][:2]
        if cc not in SUBDIVIDED or ('parent' in s and cc not in WITH_PARENT):
            continue
        types = SUBDIVIDED[cc]
        if types and s['type'] not in types:
            continue
        forms = []
        for l in ['en'] + LANGS:
            forms += variants(tr2[l].gettext(s['name']))
        forms = variants(s['name']) + forms
        uniq = []
        for f in forms:
            if f.lower() not in [u.lower() for u in uniq]:
                uniq.append(f)
        rows[s['code']] = (cc, uniq)
        for f in uniq:
            owner.setdefault(fold(f), set()).add(cc)
    rrow = []
    for code in sorted(rows):
        cc, forms = rows[code]
        keep = [f for f in forms if f.lower() not in hand and fold(f) not in all_country
                and len(owner[fold(f)]) == 1 and ok(f) and '"' not in f]
        if keep:
            rrow.append(f'"{cc}|' + '|'.join(keep) + '",')

    head = ('/* Generated by lib/engines/extract/gen-places-iso.py from Debian\'s iso-codes '
            f'{version}\n * ({{what}}); do not edit. */\n')
    with open(os.path.join(HERE, 'places-iso-countries.inc'), 'w', encoding='utf-8') as f:
        f.write(head.format(what='iso_3166-1 and its de, fr, es, it, nl translations'))
        f.write('\n'.join(crow) + '\n')
    with open(os.path.join(HERE, 'places-iso-regions.inc'), 'w', encoding='utf-8') as f:
        f.write(head.format(what='iso_3166-2 first-level subdivisions, in six languages'))
        f.write('\n'.join(rrow) + '\n')
    print(f'{len(crow)} countries, {len(rrow)} subdivisions')


if __name__ == '__main__':
    main()
