namespace MlOps.Ci.Diagnostics;

/// <summary>
/// Every code a user can meet. Codes are stable: never reuse or renumber one. Each is documented, with what to do,
/// in docs/diagnostics.md (a test checks that the table and this class agree).
/// 1xxx data, 2xxx training and export, 3xxx evaluation and gates, 4xxx packaging, 5xxx the pipeline definition,
/// 6xxx versions as inputs: lock file, caches, registries and remote data, 7xxx serving (HTTP answers carry the code)
/// and serving images, 8xxx CI systems: 80xx GitHub, 81xx Azure DevOps.
/// </summary>
public static class DiagnosticCodes
{
    public const string DataFileNotFound = "MLOPS1001";
    public const string DataFileEmpty = "MLOPS1002";
    public const string DataFileHasNoRows = "MLOPS1003";
    public const string RaggedRow = "MLOPS1004";
    public const string UnparsableNumber = "MLOPS1005";
    public const string LabelColumnMissing = "MLOPS1006";
    public const string LabelHasOneClass = "MLOPS1007";
    public const string RequiredValueMissing = "MLOPS1008";
    public const string ValueNotAllowed = "MLOPS1009";
    public const string ValueOutOfRange = "MLOPS1010";
    public const string DuplicateColumn = "MLOPS1011";
    public const string EvaluationColumnsDiffer = "MLOPS1012";
    public const string SchemaFileInvalid = "MLOPS1013";
    public const string DeclaredColumnMissing = "MLOPS1014";
    public const string LabelValueMissing = "MLOPS1015";
    public const string BinaryLabelNotTwoClasses = "MLOPS1016";
    public const string UnparsableBoolean = "MLOPS1017";
    public const string UnknownLabelInEvaluation = "MLOPS1018";
    public const string UnreadableCsv = "MLOPS1019";
    public const string IgnoredColumnMissing = "MLOPS1020";
    public const string NoFeatureColumns = "MLOPS1021";
    public const string DataChangedSinceValidation = "MLOPS1022";
    public const string IdentifierLikeColumn = "MLOPS1101";
    public const string TooManyErrors = "MLOPS1102";

    // 11xx drift and feedback (1103-1149 drift; 1150-1169 feedback)
    public const string DriftInputNotFound = "MLOPS1103";
    public const string DriftInputEmpty = "MLOPS1104";
    public const string DriftNoRowsForModel = "MLOPS1105";
    public const string DriftColumnsMissing = "MLOPS1106";
    public const string DriftProfileMissing = "MLOPS1107";
    public const string DriftLineInvalid = "MLOPS1108";
    public const string DriftLastLineIncomplete = "MLOPS1109";
    public const string DriftOtherVersionsSkipped = "MLOPS1110";
    public const string DriftDetected = "MLOPS1111";
    public const string DriftThresholdInvalid = "MLOPS1112";
    public const string DriftThresholdUnknownColumn = "MLOPS1113";
    public const string DriftInputUnreadable = "MLOPS1114";

    // 1150-1169 mlops feedback (live metrics from ground-truth labels)
    public const string FeedbackLogNotFound = "MLOPS1150";
    public const string FeedbackLogEmpty = "MLOPS1151";
    public const string FeedbackLastLineIncomplete = "MLOPS1152";
    public const string FeedbackLogLineInvalid = "MLOPS1153";
    public const string FeedbackLabelsUnreadable = "MLOPS1154";
    public const string FeedbackRequestIdColumnMissing = "MLOPS1155";
    public const string FeedbackLabelColumnMissing = "MLOPS1156";
    public const string FeedbackLabelInvalid = "MLOPS1157";
    public const string FeedbackDuplicateLabel = "MLOPS1158";
    public const string FeedbackUnknownRequestIds = "MLOPS1159";
    public const string FeedbackNoMatches = "MLOPS1160";
    public const string FeedbackOtherModelSkipped = "MLOPS1161";
    public const string FeedbackNoBounds = "MLOPS1162";
    public const string LiveMetricDecayed = "MLOPS1163";

    public const string UnknownTrainer = "MLOPS2001";
    public const string UnknownHyperparameter = "MLOPS2002";
    public const string InvalidHyperparameterValue = "MLOPS2003";
    public const string TrainingFailed = "MLOPS2005";
    public const string OnnxExportFailed = "MLOPS2006";

    // Declared feature engineering (<Feature>): MLOPS2101–2199.
    public const string FeatureColumnNotFound = "MLOPS2101";
    public const string UnknownFeatureTransform = "MLOPS2102";
    public const string InvalidFeatureOption = "MLOPS2103";
    public const string FeatureDeclaredTwice = "MLOPS2104";
    public const string FeatureTransformsConflict = "MLOPS2105";
    public const string FeatureTransformDoesNotFitColumn = "MLOPS2106";
    public const string FeatureOnLabelOrIgnoredColumn = "MLOPS2107";
    public const string FeatureTransformNotExportable = "MLOPS2108";

    // Hyperparameter sweeps (<Sweep>): MLOPS2201–2299.
    public const string SweepWithoutValues = "MLOPS2201";
    public const string SweepValuesAndRange = "MLOPS2202";
    public const string SweepValueInvalid = "MLOPS2203";
    public const string SweepRangeInvalid = "MLOPS2204";
    public const string SweepUnknownHyperparameter = "MLOPS2205";
    public const string SweepConflictsWithHyperparameter = "MLOPS2206";
    public const string SweepSettingInvalid = "MLOPS2207";
    public const string SweepShardInvalid = "MLOPS2208";
    public const string SweepMetricUnknown = "MLOPS2209";
    public const string SweepTooFewRows = "MLOPS2210";
    public const string SweepWithExternalTrainer = "MLOPS2211";
    public const string SweepDeclaredTwice = "MLOPS2212";

    // External trainers (<Trainer>Command</Trainer>): MLOPS2301–2399.
    public const string TrainerCommandMissing = "MLOPS2301";
    public const string TrainerCommandInvalid = "MLOPS2302";
    public const string UnknownTrainerPlaceholder = "MLOPS2303";
    public const string TrainerInputNotFound = "MLOPS2304";
    public const string TrainerTimeoutInvalid = "MLOPS2305";
    public const string FeatureWithExternalTrainer = "MLOPS2306";
    public const string TrainerCommandNotStarted = "MLOPS2311";
    public const string TrainerCommandFailed = "MLOPS2312";
    public const string TrainerCommandTimedOut = "MLOPS2313";
    public const string TrainerWroteNoModel = "MLOPS2314";
    public const string TrainerModelUnloadable = "MLOPS2315";
    public const string TrainerModelInputsMismatch = "MLOPS2316";
    public const string TrainerModelOutputsMismatch = "MLOPS2317";
    public const string TrainerInputChangedSinceValidation = "MLOPS2318";

    // ONNX Runtime flavour and execution provider (OrtFlavor, CUDA): MLOPS2401–2499.
    public const string CudaFallbackToCpu = "MLOPS2401";
    public const string CudaRequiredUnavailable = "MLOPS2402";
    public const string UnknownOrtSetting = "MLOPS2403";
    public const string OrtGpuBuildMissing = "MLOPS2404";
    public const string OrtFlavorConflict = "MLOPS2405";

    public const string UnknownMetric = "MLOPS3001";
    public const string GateFailed = "MLOPS3002";
    public const string GateWithoutBound = "MLOPS3003";
    public const string OnnxScoringFailed = "MLOPS3004";
    public const string BaselineNotFound = "MLOPS3101";
    public const string RegressionGateFailed = "MLOPS3102";
    public const string BaselineIncompatible = "MLOPS3103";
    public const string ReportNotPublished = "MLOPS3104";

    public const string PackageWriteFailed = "MLOPS4001";
    public const string PackageInvalid = "MLOPS4002";

    public const string RequiredPropertyMissing = "MLOPS5001";
    public const string UnknownModelTask = "MLOPS5002";
    public const string DefinitionInvalid = "MLOPS5003";
    public const string NoTrainingData = "MLOPS5004";
    public const string StepInputMissing = "MLOPS5005";
    public const string NoEvaluationData = "MLOPS5006";

    public const string LockMismatch = "MLOPS6001";
    public const string LockFileInvalid = "MLOPS6002";
    public const string LockFileMissing = "MLOPS6003";
    public const string RegistryUnreachable = "MLOPS6101";
    public const string RegistryUnauthorized = "MLOPS6102";
    public const string RegistryForbidden = "MLOPS6103";
    public const string RegistryServerError = "MLOPS6104";
    public const string DigestMismatch = "MLOPS6105";
    public const string TruncatedDownload = "MLOPS6106";
    public const string CacheEntryCorrupt = "MLOPS6107";
    public const string RegistryReferenceInvalid = "MLOPS6108";
    public const string ArtifactNotFound = "MLOPS6109";
    public const string RemoteCacheUnavailable = "MLOPS6110";
    public const string RegistryRequestRejected = "MLOPS6111";
    public const string DataDownloadFailed = "MLOPS6201";
    public const string DataHashMismatch = "MLOPS6202";
    public const string RemoteDataNotLocked = "MLOPS6203";

    public const string RequestInvalid = "MLOPS7001";
    public const string RequestTooLarge = "MLOPS7002";
    public const string ModelNotServed = "MLOPS7003";
    public const string MethodNotAllowed = "MLOPS7004";
    public const string ServingScoringFailed = "MLOPS7005";
    public const string CudaUnavailable = "MLOPS7006";

    public const string EngineUnreachable = "MLOPS7101";
    public const string ServingAppMissing = "MLOPS7102";
    public const string BaseImageNotFound = "MLOPS7103";
    public const string ImageBuildFailed = "MLOPS7104";
    public const string ImagePushRefused = "MLOPS7105";
    public const string ImagePushFailed = "MLOPS7106";
    public const string SmokeTestNotReady = "MLOPS7107";
    public const string SmokeTestRequestFailed = "MLOPS7108";
    public const string SmokeTestMismatch = "MLOPS7109";
    public const string ImageReferenceInvalid = "MLOPS7110";
    public const string BaseImageUnsupported = "MLOPS7111";

    // 80xx GitHub (Action, pull-request reports, Deployments, workflow dispatch)
    public const string GitHubTokenMissing = "MLOPS8001";
    public const string GitHubRepositoryMissing = "MLOPS8002";
    public const string GitHubTokenReadOnly = "MLOPS8003";
    public const string GitHubPullRequestNotFound = "MLOPS8004";
    public const string GitHubServerError = "MLOPS8005";
    public const string GitHubRateLimited = "MLOPS8006";
    public const string GitHubRequestRejected = "MLOPS8007";
    public const string GitHubUnauthorized = "MLOPS8008";
    public const string GitHubResourceNotFound = "MLOPS8009";
    public const string GitHubUnreachable = "MLOPS8010";
    public const string PromotionNotSucceededInRequiredEnvironment = "MLOPS8011";
    public const string PromotionFailedInRequiredEnvironment = "MLOPS8012";
    public const string NoPreviousDeployment = "MLOPS8013";
    public const string GitHubInputMissing = "MLOPS8014";
    public const string WorkflowInputInvalid = "MLOPS8015";

    // 81xx Azure DevOps (pipeline task, Azure Repos pull-request reports)
    public const string AzureDevOpsTokenMissing = "MLOPS8101";
    public const string AzureDevOpsUnauthorized = "MLOPS8102";
    public const string AzureDevOpsForbidden = "MLOPS8103";
    public const string AzureDevOpsPullRequestNotFound = "MLOPS8104";
    public const string AzureDevOpsServerError = "MLOPS8105";
    public const string AzureDevOpsThrottled = "MLOPS8106";
    public const string AzureDevOpsUnreachable = "MLOPS8107";
    public const string AzureDevOpsRequestRejected = "MLOPS8108";
    public const string AzurePipelinesSummaryNotWritten = "MLOPS8109";
    public const string AzurePipelineIdMissing = "MLOPS8110";
    public const string AzurePipelineRunTargetMissing = "MLOPS8111";
    public const string AzurePipelineNotFound = "MLOPS8112";
    public const string AzurePipelineParameterRejected = "MLOPS8113";
    public const string AzurePipelineRunInputInvalid = "MLOPS8114";

    // 8150-8159: the Azure Pipelines task's own failures (azure-pipelines-task/MlOpsCi/src/diagnostics.ts), before or
    // around running the CLI.
    public const string TaskToolPathNotFound = "MLOPS8150";
    public const string TaskToolInstallFailed = "MLOPS8151";
    public const string TaskCommandUnknown = "MLOPS8152";
    public const string TaskInputMissing = "MLOPS8153";
    public const string TaskToolFailedWithoutDiagnostic = "MLOPS8154";
    public const string TaskToolNotStarted = "MLOPS8155";

    public const string InternalError = "MLOPS9001";
}
