"""EcomOps' Glue job: a dataset's raw CSVs to typed, compressed Parquet, as the local converter does it.

Runs on AWS Glue 5.0 (Spark 3.5, Python 3.11) in one of two modes:

- append (the default): with the job's bookmarks on, a run converts only the CSV files that arrived since the
  last successful bookmarked run and appends their Parquet beside the earlier output.
- overwrite: a full refresh. The run reads every CSV file of the dataset (its read has no transformation_ctx, so
  the bookmark cannot filter it; the app also starts it with --job-bookmark-option job-bookmark-disable, which
  for that run replaces the job's default) and replaces parquet/<dataset>/ with Spark's mode("overwrite") in
  static partition-overwrite mode, so months that no longer have rows are gone too. Spark deletes the old
  output, manifest included, when the write starts (the header and bad-row checks come before): while a refresh
  writes, readers see no data, and a refresh that fails while writing leaves the dataset empty until run again.
  With job-bookmark-disable Glue neither reads nor moves the job's bookmark, so it stays where the last append
  run left it: the next append run also converts the CSV files that arrived between that append and the
  refresh, which the refresh already holds, and their rows are then there twice. After a refresh, keep
  refreshing (the app's default and its pipeline do), or append only when every file was there by the last
  append run.

It follows EcomOps.Core/Conversion/ParquetConverter.cs:

- the columns and types of EcomOps.Core/Datasets/DatasetRegistry.cs (the DATASETS block below is generated
  from it; a test fails when the two differ), every value checked by the rules of ColumnValues.cs;
- Hive partitions year=YYYY/month=MM/ of the dataset's month partition column (transactions' Timestamp);
- snappy unless told otherwise (zstd, gzip, none);
- bad rows to <bad_records_path><dataset>/<run id>/ as CSV with the local quarantine's columns, and the run
  fails, committing nothing, when there are more than --max_errors of them (default 1000);
- _manifest.json listing every Parquet file of the dataset, then _SUCCESS, the commit markers the app reads.
  As with the local converter's S3 commit, a reader listing the prefix while a run writes can see its new
  files before the manifest lists them: S3 readers open the files the manifest lists.

Where Spark cannot do what the local converter does, it says so here: line numbers of bad rows are not known
to a distributed CSV reader (line_number is empty), and bytes that are not UTF-8 are read as U+FFFD rather
than refused. Spark writes every column OPTIONAL where the local converter writes REQUIRED; the types are
the same (readers see bigint, int, decimal(10,2), date, timestamp, string).

Arguments (getResolvedOptions; upload with `ecomops aws deploy-script`, run by the app's Glue engine):
  --source_prefix     s3://BUCKET/raw/           the dataset's CSVs are under <source_prefix><dataset>/
  --target_prefix     s3://BUCKET/parquet/       Parquet goes to <target_prefix><dataset>/
  --dataset           customer_data | catalog_data | transactions_data
  --partitioning      none | month
  --compression       snappy | zstd | gzip | none
  --bad_records_path  s3://BUCKET/quarantine/    rejected rows go to <bad_records_path><dataset>/<run id>/
  --max_errors        optional, default 1000: bad rows allowed, like Redshift's MAXERROR
  --mode              optional, default append: append | overwrite (a full refresh, see above)
  --run_id            optional: the EcomOps run's id (a GUID), kept as the manifest's runId and the quarantine
                      folder's name, so the dashboard's lineage and reconciliation find the run; default a new one
"""

import datetime
import json
import sys
import uuid
from urllib.parse import unquote, urlparse

# BEGIN DATASETS (generated from EcomOps.Core/Datasets/DatasetRegistry.cs by GlueJobScript.SchemaBlock; do not edit)
# Each column: (name, type, precision, scale, Parquet physical type, Parquet logical type).
DATASETS = {
    "customer_data": {
        "month_partition_column": None,
        "columns": [
            ("CustomerID", "int64", 0, 0, "INT64", "INT(64, signed)"),
            ("Name", "string", 0, 0, "BYTE_ARRAY", "STRING"),
            ("Email", "string", 0, 0, "BYTE_ARRAY", "STRING"),
            ("Country", "string", 0, 0, "BYTE_ARRAY", "STRING"),
            ("SignupDate", "date", 0, 0, "INT32", "DATE"),
        ],
    },
    "catalog_data": {
        "month_partition_column": None,
        "columns": [
            ("ProductID", "int64", 0, 0, "INT64", "INT(64, signed)"),
            ("ProductName", "string", 0, 0, "BYTE_ARRAY", "STRING"),
            ("Category", "string", 0, 0, "BYTE_ARRAY", "STRING"),
            ("Price", "decimal", 10, 2, "INT64", "DECIMAL(10,2)"),
            ("Stock", "int32", 0, 0, "INT32", "INT(32, signed)"),
        ],
    },
    "transactions_data": {
        "month_partition_column": "Timestamp",
        "columns": [
            ("TransactionID", "int64", 0, 0, "INT64", "INT(64, signed)"),
            ("CustomerID", "int64", 0, 0, "INT64", "INT(64, signed)"),
            ("ProductID", "int64", 0, 0, "INT64", "INT(64, signed)"),
            ("Timestamp", "timestamp", 0, 0, "INT64", "TIMESTAMP(MICROS, isAdjustedToUTC=false)"),
            ("Amount", "decimal", 10, 2, "INT64", "DECIMAL(10,2)"),
            ("Country", "string", 0, 0, "BYTE_ARRAY", "STRING"),
        ],
    },
}
MAX_TEXT_BYTES = 256
# END DATASETS

QUARANTINE_COLUMNS = ["source_key", "line_number", "column", "raw_value", "reason", "raw_record"]
COMPRESSIONS = {"snappy": "snappy", "zstd": "zstd", "gzip": "gzip", "none": "none"}
PARTITIONINGS = ("none", "month")
MODES = ("append", "overwrite")
DEFAULT_MAX_ERRORS = 1000
SOURCE_COLUMN = "_ecomops_source_file"


def s3_location(uri):
    """(bucket, key prefix) of an s3:// URI; a prefix always ends with '/' so datasets do not run together."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a") or not parsed.netloc:
        raise ValueError(f"'{uri}' is not an s3://bucket/prefix/ location")
    prefix = parsed.path.lstrip("/")
    return parsed.netloc, prefix if prefix == "" or prefix.endswith("/") else prefix + "/"


def parse_arguments(argv):
    from awsglue.utils import getResolvedOptions

    names = ["JOB_NAME", "source_prefix", "target_prefix", "dataset", "partitioning", "compression", "bad_records_path"]
    # Glue passes --JOB_RUN_ID itself; --max_errors, --mode and --run_id are optional, and getResolvedOptions refuses an absent name.
    args = getResolvedOptions(argv, names + [n for n in ("max_errors", "mode", "run_id", "JOB_RUN_ID") if f"--{n}" in argv])
    args.setdefault("mode", "append")
    problems = []
    if args["mode"] not in MODES:
        problems.append(f"--mode '{args['mode']}' is not append or overwrite")
    if args["dataset"] not in DATASETS:
        problems.append(f"--dataset '{args['dataset']}' is not one of {', '.join(DATASETS)}")
    if args["partitioning"] not in PARTITIONINGS:
        problems.append(f"--partitioning '{args['partitioning']}' is not none or month")
    elif args["partitioning"] == "month" and DATASETS.get(args["dataset"], {}).get("month_partition_column") is None:
        problems.append(f"--partitioning month needs a timestamp column to partition by, which {args['dataset']} does not have; use none")
    if args["compression"] not in COMPRESSIONS:
        problems.append(f"--compression '{args['compression']}' is not snappy, zstd, gzip or none")
    if "run_id" in args:
        try:
            args["run_id"] = str(uuid.UUID(args["run_id"]))
        except ValueError:
            problems.append(f"--run_id '{args['run_id']}' is not a GUID such as 3f2b8c1e-0d4a-4e6b-9a51-2c7d8e9f0a1b")
    max_errors = args.get("max_errors", str(DEFAULT_MAX_ERRORS))
    if not max_errors.isdigit():
        problems.append(f"--max_errors '{max_errors}' is not a whole number of 0 or more")
    for name in ("source_prefix", "target_prefix", "bad_records_path"):
        try:
            s3_location(args[name])
        except ValueError as error:
            problems.append(f"--{name}: {error}")
    if problems:
        raise ValueError("Cannot convert: " + "; ".join(problems) + ". Nothing was converted.")
    args["max_errors"] = int(max_errors)
    return args


def value_problem(column):
    """A Spark expression giving why the column's text value cannot be loaded, or null when it can (ColumnValues.Problem)."""
    from pyspark.sql import functions as F

    name, kind, precision, scale = column[0], column[1], column[2], column[3]
    v = F.col(f"`{name}`")
    empty = v.isNull() | (v == "")
    if kind == "int64":
        bad = ~v.rlike(r"^[+-]?[0-9]+$") | v.cast("bigint").isNull()
        reason = "is not a whole number"
    elif kind == "int32":
        bad = ~v.rlike(r"^[+-]?[0-9]+$") | v.cast("int").isNull()
        reason = "is not a whole number between -2147483648 and 2147483647"
    elif kind == "decimal":
        number = v.rlike(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")
        places = F.when(F.instr(v, ".") > 0, F.length(v) - F.instr(v, ".")).otherwise(F.lit(0))
        bad = ~number | (places > scale) | v.cast(f"decimal({precision},{scale})").isNull()
        reason = F.when(~number, F.lit("is not a decimal number such as 12.34 (a point, no thousands separators)")) \
            .when(places > scale, F.concat(F.lit("has "), places.cast("string"), F.lit(f" decimal places; DECIMAL({precision},{scale}) allows {scale}"))) \
            .otherwise(F.lit(f"is too large for DECIMAL({precision},{scale})"))
        return F.when(empty, F.lit("is empty; every column needs a value")).when(bad, reason)
    elif kind == "date":
        bad = ~v.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") | F.to_date(v, "yyyy-MM-dd").isNull() | v.startswith("0000")
        reason = "is not a date as yyyy-MM-dd, such as 2024-01-31"
    elif kind == "timestamp":
        shape = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?$"
        bad = ~v.rlike(shape) | F.regexp_replace(v, "T", " ").cast("timestamp_ntz").isNull() | v.startswith("0000")
        reason = "is not a timestamp as yyyy-MM-dd HH:mm:ss, such as 2024-01-31 13:45:00"
    elif kind == "string":
        bad = F.octet_length(v) > MAX_TEXT_BYTES
        reason = f"is longer than {MAX_TEXT_BYTES} bytes, the warehouse column's size"
    else:
        raise ValueError(f"Unknown column type {kind} for {name}")
    return F.when(empty, F.lit("is empty; every column needs a value")).when(bad, F.lit(reason))


def typed(column):
    """The column's value in its Spark type (LongType, IntegerType, DecimalType, DateType, TimestampNTZType, StringType)."""
    from pyspark.sql import functions as F

    name, kind, precision, scale = column[0], column[1], column[2], column[3]
    v = F.col(f"`{name}`")
    cast = {
        "int64": lambda: v.cast("bigint"),
        "int32": lambda: v.cast("int"),
        "decimal": lambda: v.cast(f"decimal({precision},{scale})"),
        "date": lambda: F.to_date(v, "yyyy-MM-dd"),
        # Without a time zone, as the local converter writes it (isAdjustedToUTC=false): readers see TIMESTAMP.
        "timestamp": lambda: F.regexp_replace(v, "T", " ").cast("timestamp_ntz"),
        "string": lambda: v,
    }[kind]
    return cast().alias(name)


def key_of(uri):
    """The object key of a file URI as Spark reports it (input_file_name may percent-encode, as for '=')."""
    return unquote(urlparse(uri).path.lstrip("/"))


def read_manifest(s3, bucket, prefix):
    """The dataset's committed _manifest.json as a dict, or None when it has none."""
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=prefix + "_manifest.json")["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def write_manifest(spark, s3, bucket, prefix, dataset, run_id, args, this_run_keys):
    """_manifest.json (EcomOps.Core/Conversion/ConversionManifest.cs) over every Parquet file, then _SUCCESS."""
    from pyspark.sql import functions as F

    # After an overwrite every file is this run's (Spark deleted the rest), so the earlier manifest has nothing to lend.
    previous = {} if args["mode"] == "overwrite" else {f["key"]: f for f in (read_manifest(s3, bucket, prefix) or {}).get("files", [])}

    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix):]
            # As Athena and the crawler do, parts starting with '_' or '.' are not data.
            if item["Key"].endswith(".parquet") and not any(p.startswith(("_", ".")) for p in relative.split("/")):
                objects.append(item)

    rows = {}
    if objects:
        # Counts come from the files' footers: Spark answers count() without reading the pages.
        counted = spark.read.parquet(*[f"s3://{bucket}/{o['Key']}" for o in objects]) \
            .groupBy(F.input_file_name().alias("file")).count().collect()
        rows = {key_of(r["file"]): r["count"] for r in counted}

    compression = args["compression"]
    files = []
    for o in sorted(objects, key=lambda o: o["Key"]):
        earlier = previous.get(o["Key"])
        files.append({
            "key": o["Key"],
            "rows": rows.get(o["Key"], 0),
            "bytes": o["Size"],
            "runId": earlier["runId"] if earlier and o["Key"] not in this_run_keys else run_id,
            "compression": earlier["compression"] if earlier and o["Key"] not in this_run_keys else compression,
        })

    manifest = {
        "version": 1,
        "runId": run_id,
        "dataset": dataset,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "mode": args["mode"],
        "compression": compression,
        "partitioning": args["partitioning"],
        "totalRows": sum(f["rows"] for f in files),
        "totalBytes": sum(f["bytes"] for f in files),
        "schema": [{"name": c[0], "physicalType": c[4], "logicalType": c[5]} for c in DATASETS[dataset]["columns"]],
        "files": files,
    }
    s3.put_object(Bucket=bucket, Key=prefix + "_manifest.json", Body=json.dumps(manifest, indent=2).encode("utf-8"), ContentType="application/json")
    s3.put_object(Bucket=bucket, Key=prefix + "_SUCCESS", Body=b"")
    return manifest


def main(argv):
    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext
    from pyspark.sql import functions as F

    args = parse_arguments(argv)
    dataset = args["dataset"]
    columns = DATASETS[dataset]["columns"]
    names = [c[0] for c in columns]
    # The app's run ids are GUIDs (the manifest's runId): EcomOps passes its own; the Glue run id is kept beside it in the log.
    run_id = args.get("run_id") or str(uuid.uuid4())

    sc = SparkContext.getOrCreate()
    # The manifest is the commit point and _SUCCESS is written after it, as on the local lake; Spark's own
    # marker would come first.
    sc._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    glue = GlueContext(sc)
    spark = glue.spark_session
    spark.conf.set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
    job = Job(glue)
    job.init(args["JOB_NAME"], args)

    source_bucket, source_prefix = s3_location(args["source_prefix"])
    target_bucket, target_root = s3_location(args["target_prefix"])
    bad_bucket, bad_root = s3_location(args["bad_records_path"])
    source = f"s3://{source_bucket}/{source_prefix}{dataset}/"
    target_prefix = f"{target_root}{dataset}/"
    target = f"s3://{target_bucket}/{target_prefix}"
    quarantine = f"s3://{bad_bucket}/{bad_root}{dataset}/{run_id}/"
    overwrite = args["mode"] == "overwrite"
    print(f"EcomOps conversion of {dataset}, run {run_id} (Glue run {args.get('JOB_RUN_ID', '?')}): {source} -> {target}, "
          f"{args['mode']}, {args['compression']}, partitioning {args['partitioning']}, at most {args['max_errors']} bad rows")

    s3 = boto3.client("s3")
    live = read_manifest(s3, target_bucket, target_prefix)
    # A refresh replaces every file, so it may change the partitioning; an append must match what is there.
    if not overwrite and live is not None and live.get("partitioning") != args["partitioning"]:
        raise ValueError(f"Cannot append to {dataset}: its Parquet is partitioned '{live.get('partitioning')}' and this run asks for "
                         f"'{args['partitioning']}', which readers cannot mix. Append with partitioning '{live.get('partitioning')}'; nothing was converted.")

    # A DynamicFrame read with a transformation_ctx is what job bookmarks track: only new files are read. A
    # refresh reads without one, so every file is read whatever bookmark option the run was started with.
    frame = glue.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [source], "recurse": False, "exclusions": "[\"**/_*\", \"**/.*\"]"},
        format="csv",
        # attachFilename: a DynamicFrame's rows carry no input_file_name(), so the reader adds the file's URI.
        format_options={"withHeader": True, "separator": ",", "quoteChar": "\"", "multiLine": True, "attachFilename": SOURCE_COLUMN},
        transformation_ctx="" if overwrite else f"raw_{dataset}",
    )
    # A column whose values the reader typed two ways (a number, and text in a bad row) is a choice: keep it text.
    raw = frame.resolveChoice(choice="cast:string").toDF()
    if not raw.columns:
        if overwrite:
            # As the local converter: a refresh of nothing would delete the dataset's Parquet, so it is refused.
            raise ValueError(f"There is nothing to convert: no CSV files under {source}. Generate {dataset} or upload its CSV files first; "
                             f"the Parquet under {target} was left as it was.")
        print(f"No new CSV files under {source} since the last run: nothing to convert.")
        job.commit()
        return

    header = [c for c in raw.columns if c != SOURCE_COLUMN]
    if header != names:
        missing = [n for n in names if n not in header]
        unexpected = [n for n in header if n not in names]
        raise ValueError(f"The CSV header under {source} does not match {dataset}: expected {','.join(names)}; "
                         f"missing {missing or 'none'}, unexpected {unexpected or 'none'}. Fix or remove the file; nothing was converted.")

    # Values are checked as text, by the same rules as the upload check and the local converter; the reader's
    # own type guesses are undone first.
    text = raw.select([F.col(f"`{n}`").cast("string").alias(n) for n in names] + [F.col(SOURCE_COLUMN)])
    problems = [F.when(value_problem(c).isNotNull(), F.struct(F.lit(c[0]).alias("column"), F.col(f"`{c[0]}`").alias("raw_value"), value_problem(c).alias("reason"))) for c in columns]
    checked = text.withColumn("_problem", F.coalesce(*problems)).cache()

    bad = checked.where(F.col("_problem").isNotNull())
    rejected = bad.count()
    if rejected:
        bad.select(
            F.regexp_replace(F.col(SOURCE_COLUMN), r"^s3a?://[^/]+/", "").alias("source_key"),
            F.lit("").alias("line_number"),
            F.col("_problem.column").alias("column"),
            F.col("_problem.raw_value").alias("raw_value"),
            F.col("_problem.reason").alias("reason"),
            F.concat_ws(",", *[F.coalesce(F.col(f"`{n}`"), F.lit("")) for n in names]).alias("raw_record"),
        ).coalesce(1).write.mode("overwrite").option("header", True).csv(quarantine)
        print(f"{rejected} bad rows written to {quarantine}")
    if rejected > args["max_errors"]:
        raise ValueError(f"{rejected} bad rows in {dataset}, more than the {args['max_errors']} allowed; see {quarantine}. Nothing was converted.")

    good = checked.where(F.col("_problem").isNull()).select([typed(c) for c in columns])
    # Append: with bookmarks each run reads only the new files, so replacing the output would drop the earlier ones.
    # Overwrite read every file, so it replaces the output. Static partition overwrite (Spark's default, set here in
    # case the job's --conf says dynamic) deletes the whole target first: dynamic would keep the months no CSV row
    # is in any more, and a full refresh must not.
    save_mode = "overwrite" if overwrite else "append"
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "static")
    writer = good.write.mode(save_mode).option("compression", COMPRESSIONS[args["compression"]])
    if args["partitioning"] == "month":
        partition = F.col(f"`{DATASETS[dataset]['month_partition_column']}`")
        good = good.withColumn("year", F.date_format(partition, "yyyy")).withColumn("month", F.date_format(partition, "MM"))
        writer = good.write.mode(save_mode).option("compression", COMPRESSIONS[args["compression"]]).partitionBy("year", "month")

    before = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target_bucket, Prefix=target_prefix) for o in page.get("Contents", [])}
    writer.parquet(target)
    after = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target_bucket, Prefix=target_prefix) for o in page.get("Contents", [])}

    manifest = write_manifest(spark, s3, target_bucket, target_prefix, dataset, run_id, args, after if overwrite else after - before)
    print(f"Converted {dataset} (run {run_id}): {checked.count() - rejected} rows written, {rejected} rejected; "
          f"{len(manifest['files'])} Parquet files, {manifest['totalRows']} rows in all")
    job.commit()


if __name__ == "__main__":
    main(sys.argv)
