-- COPY statements in the forms of Amazon Redshift's COPY documentation and examples, each with what the parser
-- must make of it. A case starts at "-- case:", its "-- expect:" lines follow (key=value, one a line), then the
-- statement runs to the next case; its line and column numbers count from its own first line.
-- Keys: table, columns, source, bucket, key, manifest, auth, role, format, delimiter, quote, ignoreheader, maxerror,
-- dateformat, timeformat, nullas, acceptinvchars, compression, region, compupdate, comprows, statupdate, any flag
-- (blanksasnull, emptyasnull, acceptanydate, truncatecolumns, fillrecord, removequotes, escape, roundec, trimblanks,
-- ignoreblanklines, explicitids, noload) =true, warnings (warned options in order), refused, at (line:column), says.
-- Options not named must keep their defaults. Values take C# escapes (\t, \\).

-- case: a prefix with an IAM role (Load LISTING from an Amazon S3 bucket)
-- expect: table=listing
-- expect: source=s3://mybucket/data/listing/
-- expect: bucket=mybucket
-- expect: key=data/listing/
-- expect: auth=IamRole
-- expect: role=arn:aws:iam::0123456789012:role/MyRedshiftRole
copy listing
from 's3://mybucket/data/listing/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- case: the cluster's default role
-- expect: table=listing
-- expect: auth=DefaultIamRole
copy listing from 's3://mybucket/data/listing/' iam_role default;

-- case: Parquet with FORMAT AS PARQUET (Load LISTING from a Parquet file)
-- expect: table=listing
-- expect: format=Parquet
-- expect: auth=IamRole
copy listing
from 's3://mybucket/data/listings/parquet/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as parquet;

-- case: bare PARQUET and a schema-qualified target
-- expect: table=sales.listing
-- expect: format=Parquet
COPY sales.listing FROM 's3://mybucket/data/listings/parquet/' IAM_ROLE default PARQUET;

-- case: a manifest (Using a manifest to specify data files)
-- expect: table=sales
-- expect: source=s3://mybucket/cust.manifest
-- expect: manifest=true
-- expect: bucket=mybucket
-- expect: key=cust.manifest
copy sales
from 's3://mybucket/cust.manifest'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;

-- case: Parquet from a manifest, manifest given before the role
-- expect: table=customer_data
-- expect: format=Parquet
-- expect: manifest=true
COPY customer_data FROM 's3://lake/parquet/customer_data.manifest' MANIFEST IAM_ROLE default FORMAT PARQUET;

-- case: CSV (Load CATEGORY from a CSV file)
-- expect: table=category
-- expect: format=Csv
copy category
from 's3://mybucket/data/category_csv.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv;

-- case: CSV with another quote character
-- expect: table=category
-- expect: format=Csv
-- expect: quote=%
copy category
from 's3://mybucket/data/category_csv.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv quote as '%';

-- case: CSV with header, delimiter, time format and MAXERROR (this project's sql/redshift_examples.sql)
-- expect: table=transactions_data
-- expect: format=Csv
-- expect: ignoreheader=1
-- expect: delimiter=,
-- expect: timeformat=YYYY-MM-DD HH:MI:SS
-- expect: maxerror=10
COPY transactions_data
FROM 's3://ecomops-lake/raw/transactions_data/'
IAM_ROLE 'arn:aws:iam::123456789012:role/EcomOpsRedshiftCopy'
CSV
IGNOREHEADER 1
DELIMITER ','
TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'
MAXERROR 10;

-- case: the same options in another order, another case, and with AS everywhere
-- expect: table=transactions_data
-- expect: format=Csv
-- expect: ignoreheader=1
-- expect: delimiter=,
-- expect: timeformat=YYYY-MM-DD HH:MI:SS
-- expect: maxerror=10
Copy Transactions_Data From 's3://ecomops-lake/raw/transactions_data/'
MaxError As 10 TimeFormat As 'YYYY-MM-DD HH:MI:SS' Delimiter As ',' IgnoreHeader As 1
Format As Csv Iam_Role 'arn:aws:iam::123456789012:role/EcomOpsRedshiftCopy'

-- case: pipe-delimited text with a time format (Load EVENT with a TIMEFORMAT)
-- expect: table=event
-- expect: delimiter=|
-- expect: timeformat=YYYY-MM-DD HH:MI:SS
copy event
from 's3://mybucket/data/allevents_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|'
timeformat 'YYYY-MM-DD HH:MI:SS';

-- case: a tab delimiter written with a backslash escape, and gzip (Load from compressed files)
-- expect: table=time
-- expect: delimiter=\t
-- expect: compression=Gzip
copy time
from 's3://mybucket/data/timerows.gz'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
gzip
delimiter '\t';

-- case: an octal delimiter and ZSTD
-- expect: table=events
-- expect: delimiter=\u001e
-- expect: compression=Zstd
COPY events FROM 's3://mybucket/events/' IAM_ROLE default DELIMITER '\036' ZSTD;

-- case: a column list (Load VENUE with a column list)
-- expect: table=venue_new
-- expect: columns=venueid,venuename,venuecity,venuestate
-- expect: delimiter=|
copy venue_new(venueid, venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_noseats.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

-- case: FILLRECORD for rows with missing trailing columns
-- expect: table=venue
-- expect: columns=venueid,venuename,venuecity,venuestate
-- expect: fillrecord=true
-- expect: delimiter=|
copy venue(venueid, venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' fillrecord;

-- case: EXPLICIT_IDS for an IDENTITY column
-- expect: table=venue
-- expect: explicitids=true
copy venue
from 's3://mybucket/data/venue.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
explicit_ids;

-- case: ESCAPE in delimited text (Preparing files for COPY with the ESCAPE option)
-- expect: table=redshiftinfo
-- expect: delimiter=|
-- expect: escape=true
copy redshiftinfo from 's3://mybucket/data/redshiftinfo.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' escape;

-- case: REMOVEQUOTES, EMPTYASNULL, BLANKSASNULL, TRUNCATECOLUMNS, TRIMBLANKS
-- expect: table=users
-- expect: removequotes=true
-- expect: emptyasnull=true
-- expect: blanksasnull=true
-- expect: truncatecolumns=true
-- expect: trimblanks=true
copy users from 's3://mybucket/tickit/allusers_pipe.txt'
iam_role default
removequotes emptyasnull blanksasnull truncatecolumns trimblanks;

-- case: NULL AS with a backslash-N and a date format with ACCEPTANYDATE
-- expect: table=sales
-- expect: nullas=\\N
-- expect: dateformat=MM/DD/YYYY
-- expect: acceptanydate=true
-- expect: delimiter=\t
copy sales from 's3://mybucket/tickit/sales_tab.txt'
iam_role default
delimiter '\t' null as '\N' dateformat 'MM/DD/YYYY' acceptanydate;

-- case: automatic date and time recognition, epoch times, ACCEPTINVCHARS with a replacement
-- expect: table=clicks
-- expect: dateformat=auto
-- expect: timeformat=epochmillisecs
-- expect: acceptinvchars=^
copy clicks from 's3://mybucket/clicks/' iam_role default
dateformat 'auto' timeformat 'epochmillisecs' acceptinvchars as '^';

-- case: bare ACCEPTINVCHARS means '?', REGION for a bucket elsewhere, BZIP2
-- expect: table=users
-- expect: acceptinvchars=?
-- expect: region=us-west-2
-- expect: compression=Bzip2
copy users from 's3://mybucket-west/tickit/allusers_pipe.txt.bz2'
iam_role default acceptinvchars region 'us-west-2' bzip2;

-- case: NOLOAD to check files, with COMPUPDATE OFF and STATUPDATE OFF
-- expect: table=listing
-- expect: noload=true
-- expect: compupdate=Off
-- expect: statupdate=false
copy listing from 's3://mybucket/data/listing/' iam_role default noload compupdate off statupdate off;

-- case: COMPUPDATE PRESET, bare STATUPDATE, COMPROWS, ROUNDEC, IGNOREBLANKLINES, ENCODING UTF8
-- expect: table=sales
-- expect: compupdate=Preset
-- expect: statupdate=true
-- expect: comprows=100000
-- expect: roundec=true
-- expect: ignoreblanklines=true
COPY sales FROM 's3://mybucket/sales/' IAM_ROLE default COMPUPDATE PRESET STATUPDATE COMPROWS 100000 ROUNDEC IGNOREBLANKLINES ENCODING AS UTF8;

-- case: comments of both kinds, quoted identifiers with a doubled quote, '' in a string
-- expect: table="Sales Schema"."Orders ""2024"""
-- expect: columns=Order ID,amount
-- expect: nullas=n/a 'none'
-- expect: format=Csv
/* a leading block comment /* nested */ still a comment */
COPY "Sales Schema"."Orders ""2024""" ("Order ID", Amount) -- the column list
FROM 's3://mybucket/orders/'   /* the prefix */
IAM_ROLE default
CSV NULL AS 'n/a ''none''';

-- case: access keys in a CREDENTIALS string (accepted, warned, redacted)
-- expect: table=listing
-- expect: auth=AccessKeys
-- expect: warnings=CREDENTIALS
copy listing from 's3://mybucket/data/listings_pipe.txt'
credentials 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

-- case: temporary keys with ACCESS_KEY_ID, SECRET_ACCESS_KEY and SESSION_TOKEN
-- expect: table=listing
-- expect: auth=AccessKeys
-- expect: warnings=ACCESS_KEY_ID
copy listing from 's3://mybucket/data/listings_pipe.txt'
access_key_id 'ASIAIOSFODNN7EXAMPLE'
secret_access_key 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
session_token 'IQoJb3JpZ2luX2VjEXAMPLETOKEN';

-- case: WITH CREDENTIALS AS holding a role
-- expect: table=listing
-- expect: auth=IamRole
-- expect: role=arn:aws:iam::0123456789012:role/MyRedshiftRole
-- expect: warnings=CREDENTIALS
copy listing from 's3://mybucket/data/listing/'
with credentials as 'aws_iam_role=arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- case: no authorization at all: parsed, with a warning
-- expect: table=listing
-- expect: auth=None
-- expect: warnings=IAM_ROLE
COPY listing FROM 's3://mybucket/data/listing/';

-- case: MAXERROR above Redshift's limit is lowered, with a warning
-- expect: table=listing
-- expect: maxerror=100000
-- expect: warnings=MAXERROR
COPY listing FROM 's3://mybucket/data/listing/' IAM_ROLE default MAXERROR 250000;

-- case: JSON is refused (Load from JSON data using the 'auto' option)
-- expect: refused=JSON
-- expect: at=3:1
-- expect: says=FORMAT AS PARQUET
copy category
from 's3://mybucket/category_object_auto.json'
json 'auto'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- case: FORMAT AS AVRO is refused at AVRO
-- expect: refused=AVRO
-- expect: at=4:11
copy category
from 's3://mybucket/category_auto.avro'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as avro 'auto';

-- case: ORC is refused
-- expect: refused=ORC
-- expect: at=1:81
COPY listing FROM 's3://mybucket/data/listings/orc/' IAM_ROLE default FORMAT AS ORC;

-- case: FIXEDWIDTH is refused (Load VENUE from a fixed-width data file)
-- expect: refused=FIXEDWIDTH
-- expect: at=4:1
copy venue
from 's3://mybucket/data/venue_fw.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
fixedwidth 'venueid:3,venuename:25,venuecity:12,venuestate:2,venueseats:6';

-- case: SHAPEFILE is refused
-- expect: refused=SHAPEFILE
-- expect: at=1:64
COPY norway_natural FROM 's3://bucket_name/shapefiles/' FORMAT SHAPEFILE IAM_ROLE default;

-- case: DynamoDB is refused at its FROM string (Load FAVORITEMOVIES from a DynamoDB table)
-- expect: refused=FROM 'dynamodb://...'
-- expect: at=1:26
copy favoritemovies from 'dynamodb://Movies'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
readratio 50;

-- case: EMR is refused (Load LISTING from an Amazon EMR cluster)
-- expect: refused=FROM 'emr://...'
-- expect: at=1:17
copy sales from 'emr://j-SAMPLE2B500FC/myoutput/part-*'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '\t' lzop;

-- case: SSH is refused
-- expect: refused=SSH
-- expect: at=4:1
copy sales
from 's3://mybucket/ssh_manifest' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|'
ssh;

-- case: LZOP is refused
-- expect: refused=LZOP
-- expect: at=1:74
COPY sales FROM 's3://mybucket/sales.lzo' IAM_ROLE default DELIMITER '|' LZOP;

-- case: an unknown option names itself and its place
-- expect: refused=DELIMTER
-- expect: at=3:1
-- expect: says=not a COPY option
COPY schema.table
FROM 's3://bucket-example/folder/file.csv'
DELIMTER ','
FORMAT AS CSV;

-- case: DELIMITER with PARQUET is refused at DELIMITER
-- expect: refused=DELIMITER
-- expect: at=4:1
-- expect: says=FORMAT AS PARQUET
COPY customer_data
FROM 's3://lake/parquet/customer_data/'
FORMAT AS PARQUET
DELIMITER ','
IAM_ROLE default;

-- case: GZIP with PARQUET is refused
-- expect: refused=GZIP
-- expect: at=1:63
COPY customer_data FROM 's3://lake/parquet/' IAM_ROLE default GZIP PARQUET;

-- case: MAXERROR with PARQUET is refused, as Redshift does for columnar files
-- expect: refused=MAXERROR
-- expect: at=1:81
COPY customer_data FROM 's3://lake/parquet/' IAM_ROLE default FORMAT AS PARQUET MAXERROR 10;

-- case: CSV and PARQUET together
-- expect: refused=PARQUET
-- expect: at=2:5
-- expect: says=contradicts CSV
COPY customer_data FROM 's3://lake/raw/' IAM_ROLE default CSV
    PARQUET;

-- case: CSV twice, once bare and once with FORMAT
-- expect: refused=FORMAT AS CSV
-- expect: at=1:73
COPY customer_data FROM 's3://lake/raw/' IAM_ROLE default CSV FORMAT AS CSV;

-- case: an option given twice
-- expect: refused=IGNOREHEADER
-- expect: at=1:78
-- expect: says=first at line 1, column 63
COPY customer_data FROM 's3://lake/raw/' IAM_ROLE default CSV IGNOREHEADER 1 IGNOREHEADER 2;

-- case: GZIP and ZSTD together
-- expect: refused=ZSTD
-- expect: at=1:52
COPY t FROM 's3://lake/raw/' IAM_ROLE default GZIP ZSTD;

-- case: ESCAPE with CSV is refused
-- expect: refused=ESCAPE
-- expect: at=1:51
COPY t FROM 's3://lake/raw/' IAM_ROLE default CSV ESCAPE;

-- case: REMOVEQUOTES with CSV is refused
-- expect: refused=REMOVEQUOTES
-- expect: at=1:61
COPY t FROM 's3://lake/raw/' IAM_ROLE default FORMAT AS CSV REMOVEQUOTES;

-- case: QUOTE without CSV is refused
-- expect: refused=QUOTE
-- expect: at=1:47
COPY t FROM 's3://lake/raw/' IAM_ROLE default QUOTE '%';

-- case: IAM_ROLE and access keys together
-- expect: refused=ACCESS_KEY_ID
-- expect: at=3:1
COPY t FROM 's3://lake/raw/'
IAM_ROLE default
ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

-- case: client-side encryption is refused
-- expect: refused=ENCRYPTED
-- expect: at=1:47
COPY t FROM 's3://lake/raw/' IAM_ROLE default ENCRYPTED MASTER_SYMMETRIC_KEY 'EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722';

-- case: two statements in one text
-- expect: refused=COPY
-- expect: at=2:1
-- expect: says=one COPY statement at a time
COPY a FROM 's3://lake/a/' IAM_ROLE default;
COPY b FROM 's3://lake/b/' IAM_ROLE default;

-- case: a source that is not S3
-- expect: refused=FROM
-- expect: at=1:13
COPY t FROM '/var/data/file.csv' IAM_ROLE default;

-- case: an unterminated string is refused where it starts
-- expect: refused='
-- expect: at=1:57
COPY t FROM 's3://lake/raw/' IAM_ROLE default DELIMITER ',;

-- case: a delimiter of two characters
-- expect: refused=DELIMITER
-- expect: at=1:57
COPY t FROM 's3://lake/raw/' IAM_ROLE default DELIMITER '||';

-- case: a negative IGNOREHEADER
-- expect: refused=IGNOREHEADER
-- expect: at=1:60
COPY t FROM 's3://lake/raw/' IAM_ROLE default IGNOREHEADER -1;
