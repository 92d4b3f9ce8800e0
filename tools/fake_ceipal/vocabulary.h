// Word lists the record generator draws from. The names mix scripts and
// diacritics (and the odd emoji) on purpose: a sync engine must carry them
// through untouched. Constant data; safe to share across threads.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_VOCABULARY_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_VOCABULARY_H_

#include <string_view>

namespace ceipal::fake::vocab {

inline constexpr std::string_view kFirstNames[] = {
    "Dana",   "Priya", "José",  "Søren", "Zoë",    "Chinedu", "Mateus",
    "Émilie", "Björn", "Aiko",  "Liam",  "Fatima", "Olga",    "Kwame",
    "Inês",   "Raj",   "Mei",   "Ana",   "Tomás",  "Grace",   "Yusuf",
    "Hana",   "Lars",  "Sofía", "Arjun", "Chloé",  "Nikolai", "Amara",
};

inline constexpr std::string_view kLastNames[] = {
    "Okafor", "Raman",   "García",    "Ødegaard",  "Müller", "Silva",
    "Tanaka", "李",      "Nowak",     "O'Brien",   "Haddad", "Kowalski",
    "Nguyễn", "Dubois",  "Johansson", "Chen",      "Mensah", "Rossi",
    "Patel",  "Ivanova", "Smith",     "Fernández", "Kim",    "Adeyemi",
};

inline constexpr std::string_view kEmoji[] = {"🚀", "🌟", "🙂", "🎯"};

struct Place {
  std::string_view city;
  std::string_view state;
  std::string_view country;
  std::string_view postal_code;
};

inline constexpr Place kPlaces[] = {
    {"Austin", "Texas", "United States", "78701"},
    {"Dallas", "Texas", "United States", "75201"},
    {"Chicago", "Illinois", "United States", "60601"},
    {"New York", "New York", "United States", "10001"},
    {"Seattle", "Washington", "United States", "98101"},
    {"Denver", "Colorado", "United States", "80202"},
    {"Atlanta", "Georgia", "United States", "30303"},
    {"Toronto", "Ontario", "Canada", "M5H 2N2"},
    {"Bengaluru", "Karnataka", "India", "560001"},
    {"München", "Bayern", "Germany", "80331"},
    {"São Paulo", "São Paulo", "Brazil", "01310-100"},
    {"Montréal", "Québec", "Canada", "H2Y 1C6"},
};

inline constexpr std::string_view kStreets[] = {
    "Elm Row",
    "Main St",
    "Oak Avenue",
    "Harbor Blvd",
    "Rue Sainte-Catherine",
    "Market Street",
    "Lakeview Dr",
    "Maple Court",
    "Station Road",
};

inline constexpr std::string_view kJobTitles[] = {
    "Java Developer",       "Senior Data Engineer",  "Business Analyst",
    "DevOps Engineer",      "Registered Nurse",      "Project Manager",
    "QA Analyst",           "Network Administrator", "Scrum Master",
    "Salesforce Developer", "Data Scientist",        "Help Desk Technician",
    "Full Stack Engineer",  "Payroll Specialist",    "Cloud Architect",
};

inline constexpr std::string_view kTitleSuffixes[] = {
    "", " (Remote)", " (Hybrid)", " - Urgent", " II",
};

inline constexpr std::string_view kSkills[] = {
    "Java",    "Spring Boot", "Kafka", "Python",     "Spark",    "Airflow",
    "SQL",     "AWS",         "Azure", "Kubernetes", "React",    "Salesforce",
    "Tableau", "C#",          ".NET",  "Agile",      "ITIL",     "Terraform",
    "Go",      "Node.js",     "C++",   "Excel",      "Epic EMR", "SAP",
};

inline constexpr std::string_view kSources[] = {
    "LinkedIn",          "Dice",   "Monster",       "Referral",
    "Internal Database", "Indeed", "Career Portal", "CareerBuilder",
};

inline constexpr std::string_view kApplicantStatuses[] = {
    "Available",   "Placed", "Not Available",
    "Do Not Call", "Active", "In Process",
};

inline constexpr std::string_view kWorkAuthorizations[] = {
    "US Citizen", "Green Card",       "H1B", "EAD",
    "TN Visa",    "Canadian Citizen", "NA",
};

inline constexpr std::string_view kShifts[] = {"Day", "Night", "Swing",
                                               "Flexible", ""};

inline constexpr std::string_view kJobStatuses[] = {
    "Active", "Open", "On Hold", "Closed", "Filled",
};

inline constexpr std::string_view kEmploymentTypes[] = {
    "Contract",
    "Full Time",
    "Contract to Hire",
    "Part Time",
};

inline constexpr std::string_view kTaxTerms[] = {"C2C, W2", "W2", "1099", "C2C",
                                                 "W2, 1099"};

inline constexpr std::string_view kPayFrequencies[] = {"Hourly", "Annually",
                                                       "Monthly", "Daily"};

inline constexpr std::string_view kCurrencies[] = {"USD", "USD", "CAD", "INR",
                                                   "EUR"};

inline constexpr std::string_view kSubmissionStatuses[] = {
    "Submitted", "Submitted to Client", "Client Interview", "Offered",
    "Rejected",  "Withdrawn",           "Submitted",        "Hired",
};

inline constexpr std::string_view kPipelineStatuses[] = {
    "Screening", "Client Submission", "Interview",
    "Offer",     "Onboarding",        "Rejected",
};

inline constexpr std::string_view kInterviewRounds[] = {"Round 1", "Round 2",
                                                        "Round 3", "Final"};
inline constexpr std::string_view kInterviewTypes[] = {"Video", "Phone",
                                                       "In Person"};
inline constexpr std::string_view kInterviewStatuses[] = {
    "Scheduled", "Completed", "Cancelled", "Rescheduled", "No Show",
};
inline constexpr std::string_view kTimeZones[] = {"CST", "EST", "PST",
                                                  "IST", "UTC", "CET"};

inline constexpr std::string_view kPlacementStatuses[] = {
    "Active",
    "Completed",
    "Terminated",
    "Pending Start",
};
inline constexpr std::string_view kRevenueTypes[] = {
    "Time & Material",
    "Fixed Fee",
    "Permanent",
};
inline constexpr std::string_view kEmployeeTypes[] = {"W2", "1099", "C2C",
                                                      "Full Time"};

inline constexpr std::string_view kClientNames[] = {
    "Northwind Health",      "Contoso Bank",        "Fabrikam Logistics",
    "Globex Retail",         "Initech Software",    "Umbrella Pharma",
    "Stark Energy",          "Wayne Manufacturing", "Acme Corp",
    "Hooli Media",           "Vandelay Imports",    "Soylent Foods",
    "Cyberdyne Systems",     "Tyrell Biotech",      "Aperture Labs",
    "Nakatomi Trading",      "Duff Beverages",      "Kruger Industrial",
    "Société Générale Démo", "Zürich Analytics",
};
inline constexpr std::string_view kIndustries[] = {
    "Healthcare", "Banking", "Logistics", "Retail",
    "Software",   "Pharma",  "Energy",    "Manufacturing",
};
inline constexpr std::string_view kClientCategories[] = {
    "Direct Client",
    "MSP",
    "Vendor",
    "Prime Vendor",
};
inline constexpr std::string_view kClientStatuses[] = {"Active", "Inactive",
                                                       "Prospect"};

inline constexpr std::string_view kRoles[] = {
    "Recruiter", "Account Manager", "Admin", "Sourcer", "Sales Manager",
};
inline constexpr std::string_view kUserStatuses[] = {"Active", "Active",
                                                     "Inactive"};

}  // namespace ceipal::fake::vocab

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_VOCABULARY_H_
