using System.Text;

namespace EcomOps.Tests.Lake;

/// <summary>Small CSVs, good and malformed, for the upload and conversion checks.</summary>
public static class CsvCorpus
{
    public const string CustomersHeader = "CustomerID,Name,Email,Country,SignupDate";

    public const string TransactionsHeader = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";

    public static byte[] Good => Lines(
        CustomersHeader,
        "1,Ada Lovelace,ada.lovelace1@example.com,United Kingdom,2024-01-05",
        "2,\"Hopper, Grace\",grace.hopper2@example.com,United States,2024-02-10",
        "3,Alan Turing,alan.turing3@example.com,United Kingdom,2024-03-15");

    public static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    /// <summary>Each malformed file, the message it must produce, and whether the upload is refused outright.</summary>
    public static TheoryData<string, byte[], string, bool> Malformed() => new()
    {
        { "wrong header", Lines("order_no,sku,qty", "1,a,2"), "matches no dataset", true },
        { "lower-case header", Lines("customerid,name,email,country,signupdate", "1,a,b,c,2024-01-01"), "'customerid' should be 'CustomerID'", true },
        { "missing column", Lines("CustomerID,Name,Email,Country", "1,a,b,c"), "missing SignupDate", true },
        { "extra column", Lines(CustomersHeader + ",Age", "1,a,b,c,2024-01-01,5"), "unexpected 'Age'", true },
        { "misspelt column", Lines("CustomerID,Name,Emial,Country,SignupDate", "1,a,b,c,2024-01-01"), "'Emial' should be 'Email'", true },
        { "columns reordered", Lines("Name,CustomerID,Email,Country,SignupDate", "a,1,b,c,2024-01-01"), "different order", true },
        { "header only", Lines(CustomersHeader), "has a header but no data rows", true },
        { "empty file", [], "is empty", true },
        { "bad date", Lines(CustomersHeader, "1,a,a@x.com,c,2024-01-01", "2,b,b@x.com,c,2024-13-45"), "line 3, column SignupDate: '2024-13-45' is not a date as yyyy-MM-dd", false },
        { "bad number", Lines(TransactionsHeader, "1,1,1,2024-01-01 10:00:00,12.50,Chile", "2,1,1,2024-01-01 10:00:00,12,50,Chile"), "line 3: has 7 fields, transactions_data expects 6", false },
        { "not a number", Lines(TransactionsHeader, "1,1,1,2024-01-01 10:00:00,abc,Chile"), "line 2, column Amount: 'abc' is not a decimal number", false },
        { "too many decimals", Lines(TransactionsHeader, "1,1,1,2024-01-01 10:00:00,1.005,Chile"), "'1.005' has 3 decimal places; DECIMAL(10,2) allows 2", false },
        { "empty field", Lines(CustomersHeader, "1,,a@x.com,c,2024-01-01"), "line 2, column Name: '' is empty", false },
        { "too few fields", Lines(CustomersHeader, "1,a,a@x.com"), "line 2: has 3 fields, customer_data expects 5", false },
        { "unterminated quote", Lines(CustomersHeader, "1,a,a@x.com,c,2024-01-01", "2,\"b,b@x.com,c,2024-01-01", "3,c,c@x.com,c,2024-01-01"), "line 3: a quoted field is never closed", false },
        { "not UTF-8", [.. Lines(CustomersHeader, "1,a,a@x.com,c,2024-01-01"), .. Encoding.Latin1.GetBytes("2,Ren\u00e9,r@x.com,c,2024-01-01\n")], "line 3, column Name: 'Ren\uFFFD' is not valid UTF-8", false },
    };
}
