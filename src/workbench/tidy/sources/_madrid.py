"""Shared by the Madrid readers: Spanish country and region labels -> ISO3 / group codes, cell helpers."""

from __future__ import annotations

import pandas as pd

from workbench.errors import SourceFormatError

#: Spanish month names -> month number (reference dates in headings and footnotes).
MONTHS: dict[str, int] = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}

#: Country names as the Comunidad de Madrid and the Ayuntamiento de Madrid spell them -> ISO3.
COUNTRY_ISO3: dict[str, str] = {
    "Afganistán": "AFG",
    "Albania": "ALB",
    "Alemania": "DEU",
    "Andorra": "AND",
    "Angola": "AGO",
    "Antigua y Barbuda": "ATG",
    "Arabia Saudita": "SAU",
    "Argelia": "DZA",
    "Argentina": "ARG",
    "Armenia": "ARM",
    "Australia": "AUS",
    "Austria": "AUT",
    "Azerbaiyán": "AZE",
    "Bahamas": "BHS",
    "Bahrein": "BHR",
    "Bangladesh": "BGD",
    "Barbados": "BRB",
    "Belarús": "BLR",
    "Belgica": "BEL",
    "Bélgica": "BEL",
    "Belice": "BLZ",
    "Benin": "BEN",
    "Bhutan": "BTN",
    "Bolivia": "BOL",
    "Bosnia y Herzegovina": "BIH",
    "Botswana": "BWA",
    "Brasil": "BRA",
    "Brunei": "BRN",
    "Bulgaria": "BGR",
    "Burkina Faso": "BFA",
    "Burundi": "BDI",
    "Cabo Verde": "CPV",
    "Camboya": "KHM",
    "Camerún": "CMR",
    "Canadá": "CAN",
    "Chad": "TCD",
    "Chile": "CHL",
    "China": "CHN",
    "Chipre": "CYP",
    "Colombia": "COL",
    "Comoras": "COM",
    "Congo": "COG",
    "Corea del Norte": "PRK",
    "Corea del Sur": "KOR",
    "Costa de Marfil": "CIV",
    "Costa Rica": "CRI",
    "Croacia": "HRV",
    "Cuba": "CUB",
    "Dinamarca": "DNK",
    "Djibouti": "DJI",
    "Dominica": "DMA",
    "Ecuador": "ECU",
    "Egipto": "EGY",
    "El Salvador": "SLV",
    "Emiratos Árabes Unidos": "ARE",
    "Eritrea": "ERI",
    "Eslovaquia": "SVK",
    "Eslovenia": "SVN",
    "España": "ESP",
    "Estados Unidos": "USA",
    "Estados Unidos de América": "USA",
    "Estonia": "EST",
    "Etiopía": "ETH",
    "Fiji": "FJI",
    "Filipinas": "PHL",
    "Finlandia": "FIN",
    "Francia": "FRA",
    "Gabón": "GAB",
    "Gambia": "GMB",
    "Georgia": "GEO",
    "Ghana": "GHA",
    "Granada": "GRD",
    "Grecia": "GRC",
    "Guatemala": "GTM",
    "Guinea": "GIN",
    "Guinea Bissau": "GNB",
    "Guinea Ecuatorial": "GNQ",
    "Guyana": "GUY",
    "Haití": "HTI",
    "Honduras": "HND",
    "Hungría": "HUN",
    "India": "IND",
    "Indonesia": "IDN",
    "Irán": "IRN",
    "Iraq": "IRQ",
    "Irlanda": "IRL",
    "Islandia": "ISL",
    "Islas Marshall": "MHL",
    "Islas Salomón": "SLB",
    "Israel": "ISR",
    "Italia": "ITA",
    "Jamaica": "JAM",
    "Japón": "JPN",
    "Jordania": "JOR",
    "Kazajstán": "KAZ",
    "Kenia": "KEN",
    "Kirguistán": "KGZ",
    "Kuwait": "KWT",
    "Laos": "LAO",
    "Lesotho": "LSO",
    "Letonia": "LVA",
    "Líbano": "LBN",
    "Liberia": "LBR",
    "Libia": "LBY",
    "Liechtenstein": "LIE",
    "Lituania": "LTU",
    "Luxemburgo": "LUX",
    "Macedonia": "MKD",
    "Madagascar": "MDG",
    "Malasia": "MYS",
    "Malawi": "MWI",
    "Maldivas": "MDV",
    "Mali": "MLI",
    "Malta": "MLT",
    "Marruecos": "MAR",
    "Mauricio": "MUS",
    "Mauritania": "MRT",
    "México": "MEX",
    "Micronesia": "FSM",
    "Moldavia": "MDA",
    "Mónaco": "MCO",
    "Mongolia": "MNG",
    "Montenegro": "MNE",
    "Mozambique": "MOZ",
    "Myanmar": "MMR",
    "Namibia": "NAM",
    "Nepal": "NPL",
    "Nicaragua": "NIC",
    "Níger": "NER",
    "Nigeria": "NGA",
    "Noruega": "NOR",
    "Nueva Zelanda": "NZL",
    "Omán": "OMN",
    "Países Bajos": "NLD",
    "Pakistán": "PAK",
    "Panamá": "PAN",
    "Papua Nueva Guinea": "PNG",
    "Paraguay": "PRY",
    "Perú": "PER",
    "Polonia": "POL",
    "Portugal": "PRT",
    "Qatar": "QAT",
    "Reino Unido": "GBR",
    "República Centroafricana": "CAF",
    "República Checa": "CZE",
    "República Democrática del Congo": "COD",
    "República Dominicana": "DOM",
    "Rumanía": "ROU",
    "Rusia": "RUS",
    "Rwanda": "RWA",
    "Samoa": "WSM",
    "San Cristobal y Nieves": "KNA",
    "San Marino": "SMR",
    "San Vicente y Las Granadinas": "VCT",
    "Santa Lucía": "LCA",
    "Santa Sede": "VAT",
    "Santo Tomé y Príncipe": "STP",
    "Senegal": "SEN",
    "Serbia": "SRB",
    "Seychelles": "SYC",
    "Sierra Leona": "SLE",
    "Singapur": "SGP",
    "Siria": "SYR",
    "Somalia": "SOM",
    "Sri Lanka": "LKA",
    "Sudáfrica": "ZAF",
    "Sudán": "SDN",
    "Sudán del Sur": "SSD",
    "Suecia": "SWE",
    "Suiza": "CHE",
    "Surinám": "SUR",
    "Swazilandia": "SWZ",
    "Tailandia": "THA",
    "Tanzania": "TZA",
    "Tayikistán": "TJK",
    "Timor Oriental": "TLS",
    "Togo": "TGO",
    "Tonga": "TON",
    "Trinidad Y Tobago": "TTO",
    "Túnez": "TUN",
    "Turkmenistán": "TKM",
    "Turquía": "TUR",
    "Tuvalu": "TUV",
    "Ucrania": "UKR",
    "Uganda": "UGA",
    "Uruguay": "URY",
    "Uzbekistán": "UZB",
    "Vanuatu": "VUT",
    "Venezuela": "VEN",
    "Vietnam": "VNM",
    "Yemen": "YEM",
    "Zambia": "ZMB",
    "Zimbabwe": "ZWE",
}

#: Residual and special nationality groups of the Comunidad de Madrid tables -> group codes
#: (declared in data/registry/origins/es.yaml).
NATIONALITY_GROUPS: dict[str, str] = {
    "Otros países de Europa": "ES_OTROS_EUROPA",
    "Otros países de África": "ES_OTROS_AFRICA",
    "Otros países de América": "ES_OTROS_AMERICA",
    "Otros países de Asia": "ES_OTROS_ASIA",
    "Otros países de Oceanía": "ES_OTROS_OCEANIA",
    "Apátridas": "ES_APATRIDAS",
}

#: Regions ("subcontinentes") of birth of the Comunidad de Madrid Padrón tables -> group codes.
BIRTH_REGIONS: dict[str, str] = {
    "Unión Europea": "ES_UE",
    "Resto de Europa": "ES_RESTO_EUROPA",
    "África": "ES_AFRICA",
    "América del Norte": "ES_AMERICA_NORTE",
    "América Central y del Caribe": "ES_AMERICA_CENTRAL_CARIBE",
    "América del Sur": "ES_AMERICA_SUR",
    "Otros países de América": "ES_OTROS_AMERICA",
    "Asia": "ES_ASIA",
    "Oceanía": "ES_OCEANIA",
    "Apátridas": "ES_APATRIDAS",
}

#: Continents of origin of the Comunidad de Madrid migration statistics -> group codes.
CONTINENTS: dict[str, str] = {
    "Europa": "ES_EUROPA",
    "América": "ES_AMERICA",
    "Asia": "ES_ASIA",
    "África": "ES_AFRICA",
    "Oceanía": "ES_OCEANIA",
}

#: "Otros países" under each continent of the migration statistics -> residual group codes.
OTHER_COUNTRIES_OF: dict[str, str] = {
    "ES_EUROPA": "ES_OTROS_EUROPA",
    "ES_AMERICA": "ES_OTROS_AMERICA",
    "ES_ASIA": "ES_OTROS_ASIA",
    "ES_AFRICA": "ES_OTROS_AFRICA",
    "ES_OCEANIA": "ES_OTROS_OCEANIA",
}


def country_iso3(name: str, where: str) -> str:
    """Return the ISO3 code of a country named in Spanish by a Madrid statistical office.

    Parameters
    ----------
    name
        The label as published (surrounding spaces are ignored).
    where
        File, row and column of the label, for the error message.

    Returns
    -------
    str

    Raises
    ------
    SourceFormatError
        If the name is not in :data:`COUNTRY_ISO3` (a new or renamed country): add it there.
    """
    key = " ".join(str(name).split())
    if key not in COUNTRY_ISO3:
        raise SourceFormatError(
            f"{where}: country name {key!r} is not in workbench.tidy.sources._madrid.COUNTRY_ISO3; "
            "add its ISO3 code there"
        )
    return COUNTRY_ISO3[key]


def group_code(name: str, table: dict[str, str], what: str, where: str) -> str:
    """Return the group code of a published region or group label.

    Parameters
    ----------
    name
        The label as published (surrounding spaces are ignored).
    table
        One of the mappings of this module.
    what
        What the label is (``'region of birth'`` ...), for the error message.
    where
        File, row and column of the label.

    Raises
    ------
    SourceFormatError
        If the label is not in ``table``.
    """
    key = " ".join(str(name).split())
    if key not in table:
        raise SourceFormatError(
            f"{where}: {what} {key!r} is unknown; expected one of {sorted(table)}"
        )
    return table[key]


def cell_text(cell: object) -> str:
    """Return a cell as stripped text, ``''`` for an empty cell."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ""
    return str(cell).strip()
