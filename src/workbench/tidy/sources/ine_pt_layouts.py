"""INE Portugal, Censos 2021 annex: the file (source id, encoding) and what each table (quadro) looks like."""

from __future__ import annotations

from dataclasses import dataclass


#: The registry id of the source, and the encoding of its CSV files.
SOURCE_ID = "ine_pt_censos2021_foreign"
ENCODING = "latin-1"


@dataclass(frozen=True)
class AnnexLayout:
    """What one annex table (quadro) must look like.

    Attributes
    ----------
    title
        Text the title cell (row 1, column A) must contain.
    header_rows
        Number of header rows, starting at row 3 (row 2 is blank).
    fill_last
        Whether a blank cell of the last header row repeats the cell to its left (a units
        row); blank cells of the other header rows always repeat the cell to their left
        within the same top-level heading.
    columns
        The column labels expected after filling, header rows joined by `` | ``.
    """

    title: str
    header_rows: int
    fill_last: bool
    columns: tuple[str, ...]


#: Top-level headings of the Q1.2 columns.
POP = "População residente"
TOP15 = "15 Principais nacionalidades estrangeiras"

#: The 15 main foreign nationalities of the annex, INE's Portuguese names -> ISO 3166-1 alpha-3.
NATIONALITY_ISO3: dict[str, str] = {
    "Brasil": "BRA",
    "Angola": "AGO",
    "Cabo Verde": "CPV",
    "Reino Unido": "GBR",
    "Ucrânia": "UKR",
    "França": "FRA",
    "China": "CHN",
    "Guiné-Bissau": "GNB",
    "Índia": "IND",
    "Roménia": "ROU",
    "Itália": "ITA",
    "Nepal": "NPL",
    "Espanha": "ESP",
    "Alemanha": "DEU",
    "São Tomé e Príncipe": "STP",
}

LAYOUTS: dict[str, AnnexLayout] = {
    "Q1.1": AnnexLayout(
        "Quadro 1.1 - População residente, por nacionalidade e sexo",
        3,
        True,
        tuple(
            f"{period} | {sex} | {unit}"
            for period, unit in (("2021", "N.º"), ("2011", "N.º"), ("Variação 2011-2021", "%"))
            for sex in ("HM", "H", "M")
        ),
    ),
    "Q1.2": AnnexLayout(
        "Quadro 1.2 - População residente por nacionalidade, por local de residência",
        2,
        False,
        tuple(
            f"{POP} | {c}"
            for c in ("Total", "Nacionalidade portuguesa", "Nacionalidade estrangeira", "Apátrida")
        )
        + tuple(f"{TOP15} | {name}" for name in NATIONALITY_ISO3),
    ),
    "Q1.3": AnnexLayout(
        "Quadro 1.3 - População residente, por nacionalidade, grupo etário e idade média",
        2,
        False,
        ("Total",)
        + tuple(
            f"{head} | {band}"
            for head in ("Grupo etário", "Grupo etário (%)")
            for band in ("0 - 14", "15 - 24", "25 - 64", "65 ou mais")
        )
        + tuple(f"Idade média | {sex}" for sex in ("HM", "H", "M")),
    ),
    "Q2.1": AnnexLayout(
        "Quadro 2.1 - População residente entre os 15 e os 64 anos, por nacionalidade e nível de ensino",
        3,
        False,
        ("Total",)
        + tuple(
            f"Nível de ensino completo | {c}"
            for c in (
                "Nenhum",
                "Ensino básico | Total",
                "Ensino básico | 1º ciclo",
                "Ensino básico | 2º ciclo",
                "Ensino básico | 3º ciclo",
                "Ensino secundário e pós-secundário",
                "Superior",
            )
        ),
    ),
    "Q3.1": AnnexLayout(
        "Quadro 3.1 - População residente, por nacionalidade e condição perante a atividade económica",
        2,
        False,
        ("Total",)
        + tuple(f"Ativa | {c}" for c in ("Total", "Empregada", "Desempregada"))
        + tuple(
            f"Inativa | {c}"
            for c in (
                "Total",
                "População com menos de 15 anos",
                "Estudantes",
                "Domésticos",
                "Reformados",
                "Incapacitados para o trabalho",
                "Outra situação",
            )
        ),
    ),
}
