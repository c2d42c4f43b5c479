"""The July 2022 reorganisation as a spec in localities.programme_data's format: NHS Kent
and Medway ICB replaced the CCG, and four Health and Care Partnerships the eight places
and the four sub-systems. Public record, not in the papers (../shared/DOMAIN.md,
"After 2018/19").

It is not in fixtures/reorganisations.json, so not in the demo data, whose quarters stop
in 2020. Tests that need a reorganisation of localities record it with the `icb_2022`
fixture (tests/conftest.py).
"""

ICB_2022 = {
    "effective_date": "2022-07-01",
    "title": "NHS Kent and Medway ICB and four Health and Care Partnerships",
    "description": "Under the Health and Care Act 2022 NHS Kent and Medway Integrated "
    "Care Board replaced the CCG, and four Health and Care Partnerships "
    "replaced the eight places and the four sub-systems.",
    "source": "Public record (not in the papers): Health and Care Act 2022; NHS Kent and "
    "Medway ICB from 1 July 2022",
    "is_illustrative": False,
    "changes": [
        {
            "level": "sub_system",
            "kind": "merged_into",
            "predecessors": ["East Kent", "North Kent", "Medway", "West Kent"],
            "successors": [
                {"name": "Kent and Medway Integrated Care System", "slug": "kent-and-medway-ics"}
            ],
        },
        {
            "level": "locality",
            "kind": "became",
            "predecessors": ["Dartford, Gravesham and Swanley"],
            "successors": [
                {
                    "name": "Dartford, Gravesham and Swanley Health and Care Partnership",
                    "slug": "dartford-gravesham-and-swanley-hcp",
                    "kind": "hcp",
                    "sub_system": "Kent and Medway Integrated Care System",
                }
            ],
        },
        {
            "level": "locality",
            "kind": "merged_into",
            "predecessors": ["Ashford", "Canterbury and Coastal", "South Kent Coast", "Thanet"],
            "successors": [
                {
                    "name": "East Kent Health and Care Partnership",
                    "slug": "east-kent-hcp",
                    "kind": "hcp",
                    "sub_system": "Kent and Medway Integrated Care System",
                }
            ],
        },
        {
            "level": "locality",
            "kind": "merged_into",
            "predecessors": ["Medway", "Swale"],
            "successors": [
                {
                    "name": "Medway and Swale Health and Care Partnership",
                    "slug": "medway-and-swale-hcp",
                    "kind": "hcp",
                    "sub_system": "Kent and Medway Integrated Care System",
                }
            ],
        },
        {
            "level": "locality",
            "kind": "became",
            "predecessors": ["West Kent"],
            "successors": [
                {
                    "name": "West Kent Health and Care Partnership",
                    "slug": "west-kent-hcp",
                    "kind": "hcp",
                    "sub_system": "Kent and Medway Integrated Care System",
                }
            ],
        },
        {
            "level": "commissioner",
            "kind": "became",
            "predecessors": ["NHS Kent and Medway CCG"],
            "successors": [
                {
                    "name": "NHS Kent and Medway Integrated Care Board",
                    "short_name": "Kent and Medway ICB",
                    "kind": "icb",
                }
            ],
        },
    ],
}
