; ModuleID = '/work/main/datasets/kernels-v0/fft.c'
source_filename = "/work/main/datasets/kernels-v0/fft.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.cplx = type { double, double }

@main.sig = internal global [4096 x %struct.cplx] zeroinitializer, align 16
@main.work = internal global [4096 x %struct.cplx] zeroinitializer, align 16
@main.ref = internal global [256 x %struct.cplx] zeroinitializer, align 16
@main.fa = internal global [1024 x %struct.cplx] zeroinitializer, align 16
@main.fb = internal global [1024 x %struct.cplx] zeroinitializer, align 16
@main.ia = internal global [512 x i32] zeroinitializer, align 16
@main.ib = internal global [512 x i32] zeroinitializer, align 16
@main.direct = internal global [1024 x i64] zeroinitializer, align 16
@.str = private unnamed_addr constant [66 x i8] c"round trip n=%d: error below 1e-12: %s, parseval below 1e-12: %s\0A\00", align 1
@.str.1 = private unnamed_addr constant [4 x i8] c"yes\00", align 1
@.str.2 = private unnamed_addr constant [3 x i8] c"no\00", align 1
@.str.3 = private unnamed_addr constant [44 x i8] c"fft vs dft n=%d: difference below 1e-9: %s\0A\00", align 1
@.str.4 = private unnamed_addr constant [63 x i8] c"tones: bin %zu amplitude %ld/1000, bin %zu amplitude %ld/1000\0A\00", align 1
@.str.5 = private unnamed_addr constant [41 x i8] c"convolution: mismatches %d hash %016llx\0A\00", align 1
@.str.6 = private unnamed_addr constant [4 x i8] c"%s\0A\00", align 1
@.str.7 = private unnamed_addr constant [5 x i8] c"FAIL\00", align 1
@.str.8 = private unnamed_addr constant [3 x i8] c"OK\00", align 1
@__const.fft.w = private unnamed_addr constant %struct.cplx { double 1.000000e+00, double 0.000000e+00 }, align 8
@lcg_state = internal global i64 7, align 8

; Function Attrs: noinline nounwind uwtable
define dso_local i32 @main() #0 {
  %1 = alloca i32, align 4
  %2 = alloca i32, align 4
  %3 = alloca double, align 8
  %4 = alloca double, align 8
  %5 = alloca i64, align 8
  %6 = alloca i64, align 8
  %7 = alloca double, align 8
  %8 = alloca double, align 8
  %9 = alloca double, align 8
  %10 = alloca i64, align 8
  %11 = alloca i64, align 8
  %12 = alloca i64, align 8
  %13 = alloca i64, align 8
  %14 = alloca double, align 8
  %15 = alloca i64, align 8
  %16 = alloca i64, align 8
  %17 = alloca i32, align 4
  %18 = alloca i32, align 4
  %19 = alloca i32, align 4
  %20 = alloca i32, align 4
  %21 = alloca %struct.cplx, align 8
  %22 = alloca %struct.cplx, align 8
  %23 = alloca i32, align 4
  %24 = alloca %struct.cplx, align 8
  %25 = alloca i32, align 4
  %26 = alloca i64, align 8
  %27 = alloca i32, align 4
  store i32 0, ptr %1, align 4
  store i32 0, ptr %2, align 4
  store double 0.000000e+00, ptr %3, align 8
  store double 0.000000e+00, ptr %4, align 8
  store i64 0, ptr %5, align 8
  br label %28

28:                                               ; preds = %49, %0
  %29 = load i64, ptr %5, align 8
  %30 = icmp ult i64 %29, 4096
  br i1 %30, label %31, label %52

31:                                               ; preds = %28
  %32 = call double @uniform()
  %33 = load i64, ptr %5, align 8
  %34 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.sig, i64 0, i64 %33
  %35 = getelementptr inbounds %struct.cplx, ptr %34, i32 0, i32 0
  store double %32, ptr %35, align 16
  %36 = call double @uniform()
  %37 = load i64, ptr %5, align 8
  %38 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.sig, i64 0, i64 %37
  %39 = getelementptr inbounds %struct.cplx, ptr %38, i32 0, i32 1
  store double %36, ptr %39, align 8
  %40 = load i64, ptr %5, align 8
  %41 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.sig, i64 0, i64 %40
  %42 = getelementptr inbounds { double, double }, ptr %41, i32 0, i32 0
  %43 = load double, ptr %42, align 16
  %44 = getelementptr inbounds { double, double }, ptr %41, i32 0, i32 1
  %45 = load double, ptr %44, align 8
  %46 = call double @c_abs2(double %43, double %45)
  %47 = load double, ptr %3, align 8
  %48 = fadd double %47, %46
  store double %48, ptr %3, align 8
  br label %49

49:                                               ; preds = %31
  %50 = load i64, ptr %5, align 8
  %51 = add i64 %50, 1
  store i64 %51, ptr %5, align 8
  br label %28, !llvm.loop !6

52:                                               ; preds = %28
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 @main.work, ptr align 16 @main.sig, i64 65536, i1 false)
  call void @fft(ptr noundef @main.work, i64 noundef 4096, i32 noundef -1)
  store i64 0, ptr %6, align 8
  br label %53

53:                                               ; preds = %66, %52
  %54 = load i64, ptr %6, align 8
  %55 = icmp ult i64 %54, 4096
  br i1 %55, label %56, label %69

56:                                               ; preds = %53
  %57 = load i64, ptr %6, align 8
  %58 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %57
  %59 = getelementptr inbounds { double, double }, ptr %58, i32 0, i32 0
  %60 = load double, ptr %59, align 16
  %61 = getelementptr inbounds { double, double }, ptr %58, i32 0, i32 1
  %62 = load double, ptr %61, align 8
  %63 = call double @c_abs2(double %60, double %62)
  %64 = load double, ptr %4, align 8
  %65 = fadd double %64, %63
  store double %65, ptr %4, align 8
  br label %66

66:                                               ; preds = %56
  %67 = load i64, ptr %6, align 8
  %68 = add i64 %67, 1
  store i64 %68, ptr %6, align 8
  br label %53, !llvm.loop !8

69:                                               ; preds = %53
  call void @ifft(ptr noundef @main.work, i64 noundef 4096)
  %70 = call double @max_diff(ptr noundef @main.work, ptr noundef @main.sig, i64 noundef 4096)
  store double %70, ptr %7, align 8
  %71 = load double, ptr %4, align 8
  %72 = fdiv double %71, 4.096000e+03
  %73 = load double, ptr %3, align 8
  %74 = fsub double %72, %73
  %75 = call double @llvm.fabs.f64(double %74)
  %76 = load double, ptr %3, align 8
  %77 = fdiv double %75, %76
  store double %77, ptr %8, align 8
  %78 = load double, ptr %7, align 8
  %79 = fcmp olt double %78, 0x3D719799812DEA11
  %80 = zext i1 %79 to i64
  %81 = select i1 %79, ptr @.str.1, ptr @.str.2
  %82 = load double, ptr %8, align 8
  %83 = fcmp olt double %82, 0x3D719799812DEA11
  %84 = zext i1 %83 to i64
  %85 = select i1 %83, ptr @.str.1, ptr @.str.2
  %86 = call i32 (ptr, ...) @printf(ptr noundef @.str, i32 noundef 4096, ptr noundef %81, ptr noundef %85)
  %87 = load double, ptr %7, align 8
  %88 = fcmp oge double %87, 0x3D719799812DEA11
  br i1 %88, label %92, label %89

89:                                               ; preds = %69
  %90 = load double, ptr %8, align 8
  %91 = fcmp oge double %90, 0x3D719799812DEA11
  br i1 %91, label %92, label %95

92:                                               ; preds = %89, %69
  %93 = load i32, ptr %2, align 4
  %94 = add nsw i32 %93, 1
  store i32 %94, ptr %2, align 4
  br label %95

95:                                               ; preds = %92, %89
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 @main.work, ptr align 16 @main.sig, i64 4096, i1 false)
  call void @fft(ptr noundef @main.work, i64 noundef 256, i32 noundef -1)
  call void @naive_dft(ptr noundef @main.sig, ptr noundef @main.ref, i64 noundef 256)
  %96 = call double @max_diff(ptr noundef @main.work, ptr noundef @main.ref, i64 noundef 256)
  store double %96, ptr %9, align 8
  %97 = load double, ptr %9, align 8
  %98 = fcmp olt double %97, 1.000000e-09
  %99 = zext i1 %98 to i64
  %100 = select i1 %98, ptr @.str.1, ptr @.str.2
  %101 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, i32 noundef 256, ptr noundef %100)
  %102 = load double, ptr %9, align 8
  %103 = fcmp oge double %102, 1.000000e-09
  br i1 %103, label %104, label %107

104:                                              ; preds = %95
  %105 = load i32, ptr %2, align 4
  %106 = add nsw i32 %105, 1
  store i32 %106, ptr %2, align 4
  br label %107

107:                                              ; preds = %104, %95
  store i64 0, ptr %10, align 8
  br label %108

108:                                              ; preds = %130, %107
  %109 = load i64, ptr %10, align 8
  %110 = icmp ult i64 %109, 4096
  br i1 %110, label %111, label %133

111:                                              ; preds = %108
  %112 = load i64, ptr %10, align 8
  %113 = uitofp i64 %112 to double
  %114 = fmul double 0x406D0F4A996ED424, %113
  %115 = fdiv double %114, 4.096000e+03
  %116 = call double @cos(double noundef %115) #6
  %117 = load i64, ptr %10, align 8
  %118 = uitofp i64 %117 to double
  %119 = fmul double 0x40A88B2F704A9409, %118
  %120 = fdiv double %119, 4.096000e+03
  %121 = call double @sin(double noundef %120) #6
  %122 = fmul double 1.500000e+00, %121
  %123 = call double @llvm.fmuladd.f64(double 3.000000e+00, double %116, double %122)
  %124 = load i64, ptr %10, align 8
  %125 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %124
  %126 = getelementptr inbounds %struct.cplx, ptr %125, i32 0, i32 0
  store double %123, ptr %126, align 16
  %127 = load i64, ptr %10, align 8
  %128 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %127
  %129 = getelementptr inbounds %struct.cplx, ptr %128, i32 0, i32 1
  store double 0.000000e+00, ptr %129, align 8
  br label %130

130:                                              ; preds = %111
  %131 = load i64, ptr %10, align 8
  %132 = add i64 %131, 1
  store i64 %132, ptr %10, align 8
  br label %108, !llvm.loop !9

133:                                              ; preds = %108
  call void @fft(ptr noundef @main.work, i64 noundef 4096, i32 noundef -1)
  store i64 0, ptr %11, align 8
  store i64 0, ptr %12, align 8
  store i64 1, ptr %13, align 8
  br label %134

134:                                              ; preds = %171, %133
  %135 = load i64, ptr %13, align 8
  %136 = icmp ult i64 %135, 2048
  br i1 %136, label %137, label %174

137:                                              ; preds = %134
  %138 = load i64, ptr %13, align 8
  %139 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %138
  %140 = getelementptr inbounds { double, double }, ptr %139, i32 0, i32 0
  %141 = load double, ptr %140, align 16
  %142 = getelementptr inbounds { double, double }, ptr %139, i32 0, i32 1
  %143 = load double, ptr %142, align 8
  %144 = call double @c_abs2(double %141, double %143)
  store double %144, ptr %14, align 8
  %145 = load double, ptr %14, align 8
  %146 = load i64, ptr %11, align 8
  %147 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %146
  %148 = getelementptr inbounds { double, double }, ptr %147, i32 0, i32 0
  %149 = load double, ptr %148, align 16
  %150 = getelementptr inbounds { double, double }, ptr %147, i32 0, i32 1
  %151 = load double, ptr %150, align 8
  %152 = call double @c_abs2(double %149, double %151)
  %153 = fcmp ogt double %145, %152
  br i1 %153, label %154, label %157

154:                                              ; preds = %137
  %155 = load i64, ptr %11, align 8
  store i64 %155, ptr %12, align 8
  %156 = load i64, ptr %13, align 8
  store i64 %156, ptr %11, align 8
  br label %170

157:                                              ; preds = %137
  %158 = load double, ptr %14, align 8
  %159 = load i64, ptr %12, align 8
  %160 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %159
  %161 = getelementptr inbounds { double, double }, ptr %160, i32 0, i32 0
  %162 = load double, ptr %161, align 16
  %163 = getelementptr inbounds { double, double }, ptr %160, i32 0, i32 1
  %164 = load double, ptr %163, align 8
  %165 = call double @c_abs2(double %162, double %164)
  %166 = fcmp ogt double %158, %165
  br i1 %166, label %167, label %169

167:                                              ; preds = %157
  %168 = load i64, ptr %13, align 8
  store i64 %168, ptr %12, align 8
  br label %169

169:                                              ; preds = %167, %157
  br label %170

170:                                              ; preds = %169, %154
  br label %171

171:                                              ; preds = %170
  %172 = load i64, ptr %13, align 8
  %173 = add i64 %172, 1
  store i64 %173, ptr %13, align 8
  br label %134, !llvm.loop !10

174:                                              ; preds = %134
  %175 = load i64, ptr %11, align 8
  %176 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %175
  %177 = getelementptr inbounds { double, double }, ptr %176, i32 0, i32 0
  %178 = load double, ptr %177, align 16
  %179 = getelementptr inbounds { double, double }, ptr %176, i32 0, i32 1
  %180 = load double, ptr %179, align 8
  %181 = call double @c_abs2(double %178, double %180)
  %182 = call double @sqrt(double noundef %181) #6
  %183 = fmul double %182, 2.000000e+00
  %184 = fdiv double %183, 4.096000e+03
  %185 = fmul double %184, 1.000000e+03
  %186 = call i64 @lround(double noundef %185) #6
  store i64 %186, ptr %15, align 8
  %187 = load i64, ptr %12, align 8
  %188 = getelementptr inbounds [4096 x %struct.cplx], ptr @main.work, i64 0, i64 %187
  %189 = getelementptr inbounds { double, double }, ptr %188, i32 0, i32 0
  %190 = load double, ptr %189, align 16
  %191 = getelementptr inbounds { double, double }, ptr %188, i32 0, i32 1
  %192 = load double, ptr %191, align 8
  %193 = call double @c_abs2(double %190, double %192)
  %194 = call double @sqrt(double noundef %193) #6
  %195 = fmul double %194, 2.000000e+00
  %196 = fdiv double %195, 4.096000e+03
  %197 = fmul double %196, 1.000000e+03
  %198 = call i64 @lround(double noundef %197) #6
  store i64 %198, ptr %16, align 8
  %199 = load i64, ptr %11, align 8
  %200 = load i64, ptr %15, align 8
  %201 = load i64, ptr %12, align 8
  %202 = load i64, ptr %16, align 8
  %203 = call i32 (ptr, ...) @printf(ptr noundef @.str.4, i64 noundef %199, i64 noundef %200, i64 noundef %201, i64 noundef %202)
  %204 = load i64, ptr %11, align 8
  %205 = icmp ne i64 %204, 37
  br i1 %205, label %215, label %206

206:                                              ; preds = %174
  %207 = load i64, ptr %12, align 8
  %208 = icmp ne i64 %207, 500
  br i1 %208, label %215, label %209

209:                                              ; preds = %206
  %210 = load i64, ptr %15, align 8
  %211 = icmp ne i64 %210, 3000
  br i1 %211, label %215, label %212

212:                                              ; preds = %209
  %213 = load i64, ptr %16, align 8
  %214 = icmp ne i64 %213, 1500
  br i1 %214, label %215, label %218

215:                                              ; preds = %212, %209, %206, %174
  %216 = load i32, ptr %2, align 4
  %217 = add nsw i32 %216, 1
  store i32 %217, ptr %2, align 4
  br label %218

218:                                              ; preds = %215, %212
  store i32 0, ptr %17, align 4
  br label %219

219:                                              ; preds = %239, %218
  %220 = load i32, ptr %17, align 4
  %221 = icmp slt i32 %220, 512
  br i1 %221, label %222, label %242

222:                                              ; preds = %219
  %223 = call i64 @lcg_next()
  %224 = lshr i64 %223, 40
  %225 = urem i64 %224, 200
  %226 = trunc i64 %225 to i32
  %227 = sub nsw i32 %226, 100
  %228 = load i32, ptr %17, align 4
  %229 = sext i32 %228 to i64
  %230 = getelementptr inbounds [512 x i32], ptr @main.ia, i64 0, i64 %229
  store i32 %227, ptr %230, align 4
  %231 = call i64 @lcg_next()
  %232 = lshr i64 %231, 40
  %233 = urem i64 %232, 200
  %234 = trunc i64 %233 to i32
  %235 = sub nsw i32 %234, 100
  %236 = load i32, ptr %17, align 4
  %237 = sext i32 %236 to i64
  %238 = getelementptr inbounds [512 x i32], ptr @main.ib, i64 0, i64 %237
  store i32 %235, ptr %238, align 4
  br label %239

239:                                              ; preds = %222
  %240 = load i32, ptr %17, align 4
  %241 = add nsw i32 %240, 1
  store i32 %241, ptr %17, align 4
  br label %219, !llvm.loop !11

242:                                              ; preds = %219
  call void @llvm.memset.p0.i64(ptr align 16 @main.direct, i8 0, i64 8192, i1 false)
  store i32 0, ptr %18, align 4
  br label %243

243:                                              ; preds = %273, %242
  %244 = load i32, ptr %18, align 4
  %245 = icmp slt i32 %244, 512
  br i1 %245, label %246, label %276

246:                                              ; preds = %243
  store i32 0, ptr %19, align 4
  br label %247

247:                                              ; preds = %269, %246
  %248 = load i32, ptr %19, align 4
  %249 = icmp slt i32 %248, 512
  br i1 %249, label %250, label %272

250:                                              ; preds = %247
  %251 = load i32, ptr %18, align 4
  %252 = sext i32 %251 to i64
  %253 = getelementptr inbounds [512 x i32], ptr @main.ia, i64 0, i64 %252
  %254 = load i32, ptr %253, align 4
  %255 = sext i32 %254 to i64
  %256 = load i32, ptr %19, align 4
  %257 = sext i32 %256 to i64
  %258 = getelementptr inbounds [512 x i32], ptr @main.ib, i64 0, i64 %257
  %259 = load i32, ptr %258, align 4
  %260 = sext i32 %259 to i64
  %261 = mul nsw i64 %255, %260
  %262 = load i32, ptr %18, align 4
  %263 = load i32, ptr %19, align 4
  %264 = add nsw i32 %262, %263
  %265 = sext i32 %264 to i64
  %266 = getelementptr inbounds [1024 x i64], ptr @main.direct, i64 0, i64 %265
  %267 = load i64, ptr %266, align 8
  %268 = add nsw i64 %267, %261
  store i64 %268, ptr %266, align 8
  br label %269

269:                                              ; preds = %250
  %270 = load i32, ptr %19, align 4
  %271 = add nsw i32 %270, 1
  store i32 %271, ptr %19, align 4
  br label %247, !llvm.loop !12

272:                                              ; preds = %247
  br label %273

273:                                              ; preds = %272
  %274 = load i32, ptr %18, align 4
  %275 = add nsw i32 %274, 1
  store i32 %275, ptr %18, align 4
  br label %243, !llvm.loop !13

276:                                              ; preds = %243
  store i32 0, ptr %20, align 4
  br label %277

277:                                              ; preds = %313, %276
  %278 = load i32, ptr %20, align 4
  %279 = icmp slt i32 %278, 1024
  br i1 %279, label %280, label %316

280:                                              ; preds = %277
  %281 = load i32, ptr %20, align 4
  %282 = sext i32 %281 to i64
  %283 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fa, i64 0, i64 %282
  %284 = getelementptr inbounds %struct.cplx, ptr %21, i32 0, i32 0
  %285 = load i32, ptr %20, align 4
  %286 = icmp slt i32 %285, 512
  br i1 %286, label %287, label %292

287:                                              ; preds = %280
  %288 = load i32, ptr %20, align 4
  %289 = sext i32 %288 to i64
  %290 = getelementptr inbounds [512 x i32], ptr @main.ia, i64 0, i64 %289
  %291 = load i32, ptr %290, align 4
  br label %293

292:                                              ; preds = %280
  br label %293

293:                                              ; preds = %292, %287
  %294 = phi i32 [ %291, %287 ], [ 0, %292 ]
  %295 = sitofp i32 %294 to double
  store double %295, ptr %284, align 8
  %296 = getelementptr inbounds %struct.cplx, ptr %21, i32 0, i32 1
  store double 0.000000e+00, ptr %296, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %283, ptr align 8 %21, i64 16, i1 false)
  %297 = load i32, ptr %20, align 4
  %298 = sext i32 %297 to i64
  %299 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fb, i64 0, i64 %298
  %300 = getelementptr inbounds %struct.cplx, ptr %22, i32 0, i32 0
  %301 = load i32, ptr %20, align 4
  %302 = icmp slt i32 %301, 512
  br i1 %302, label %303, label %308

303:                                              ; preds = %293
  %304 = load i32, ptr %20, align 4
  %305 = sext i32 %304 to i64
  %306 = getelementptr inbounds [512 x i32], ptr @main.ib, i64 0, i64 %305
  %307 = load i32, ptr %306, align 4
  br label %309

308:                                              ; preds = %293
  br label %309

309:                                              ; preds = %308, %303
  %310 = phi i32 [ %307, %303 ], [ 0, %308 ]
  %311 = sitofp i32 %310 to double
  store double %311, ptr %300, align 8
  %312 = getelementptr inbounds %struct.cplx, ptr %22, i32 0, i32 1
  store double 0.000000e+00, ptr %312, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %299, ptr align 8 %22, i64 16, i1 false)
  br label %313

313:                                              ; preds = %309
  %314 = load i32, ptr %20, align 4
  %315 = add nsw i32 %314, 1
  store i32 %315, ptr %20, align 4
  br label %277, !llvm.loop !14

316:                                              ; preds = %277
  call void @fft(ptr noundef @main.fa, i64 noundef 1024, i32 noundef -1)
  call void @fft(ptr noundef @main.fb, i64 noundef 1024, i32 noundef -1)
  store i32 0, ptr %23, align 4
  br label %317

317:                                              ; preds = %343, %316
  %318 = load i32, ptr %23, align 4
  %319 = icmp slt i32 %318, 1024
  br i1 %319, label %320, label %346

320:                                              ; preds = %317
  %321 = load i32, ptr %23, align 4
  %322 = sext i32 %321 to i64
  %323 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fa, i64 0, i64 %322
  %324 = load i32, ptr %23, align 4
  %325 = sext i32 %324 to i64
  %326 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fa, i64 0, i64 %325
  %327 = load i32, ptr %23, align 4
  %328 = sext i32 %327 to i64
  %329 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fb, i64 0, i64 %328
  %330 = getelementptr inbounds { double, double }, ptr %326, i32 0, i32 0
  %331 = load double, ptr %330, align 16
  %332 = getelementptr inbounds { double, double }, ptr %326, i32 0, i32 1
  %333 = load double, ptr %332, align 8
  %334 = getelementptr inbounds { double, double }, ptr %329, i32 0, i32 0
  %335 = load double, ptr %334, align 16
  %336 = getelementptr inbounds { double, double }, ptr %329, i32 0, i32 1
  %337 = load double, ptr %336, align 8
  %338 = call { double, double } @c_mul(double %331, double %333, double %335, double %337)
  %339 = getelementptr inbounds { double, double }, ptr %24, i32 0, i32 0
  %340 = extractvalue { double, double } %338, 0
  store double %340, ptr %339, align 8
  %341 = getelementptr inbounds { double, double }, ptr %24, i32 0, i32 1
  %342 = extractvalue { double, double } %338, 1
  store double %342, ptr %341, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %323, ptr align 8 %24, i64 16, i1 false)
  br label %343

343:                                              ; preds = %320
  %344 = load i32, ptr %23, align 4
  %345 = add nsw i32 %344, 1
  store i32 %345, ptr %23, align 4
  br label %317, !llvm.loop !15

346:                                              ; preds = %317
  call void @ifft(ptr noundef @main.fa, i64 noundef 1024)
  store i32 0, ptr %25, align 4
  store i64 1469598103934665603, ptr %26, align 8
  store i32 0, ptr %27, align 4
  br label %347

347:                                              ; preds = %373, %346
  %348 = load i32, ptr %27, align 4
  %349 = icmp slt i32 %348, 1024
  br i1 %349, label %350, label %376

350:                                              ; preds = %347
  %351 = load i32, ptr %27, align 4
  %352 = sext i32 %351 to i64
  %353 = getelementptr inbounds [1024 x %struct.cplx], ptr @main.fa, i64 0, i64 %352
  %354 = getelementptr inbounds %struct.cplx, ptr %353, i32 0, i32 0
  %355 = load double, ptr %354, align 16
  %356 = call i64 @llround(double noundef %355) #6
  %357 = load i32, ptr %27, align 4
  %358 = sext i32 %357 to i64
  %359 = getelementptr inbounds [1024 x i64], ptr @main.direct, i64 0, i64 %358
  %360 = load i64, ptr %359, align 8
  %361 = icmp ne i64 %356, %360
  br i1 %361, label %362, label %365

362:                                              ; preds = %350
  %363 = load i32, ptr %25, align 4
  %364 = add nsw i32 %363, 1
  store i32 %364, ptr %25, align 4
  br label %365

365:                                              ; preds = %362, %350
  %366 = load i64, ptr %26, align 8
  %367 = load i32, ptr %27, align 4
  %368 = sext i32 %367 to i64
  %369 = getelementptr inbounds [1024 x i64], ptr @main.direct, i64 0, i64 %368
  %370 = load i64, ptr %369, align 8
  %371 = xor i64 %366, %370
  %372 = mul i64 %371, 1099511628211
  store i64 %372, ptr %26, align 8
  br label %373

373:                                              ; preds = %365
  %374 = load i32, ptr %27, align 4
  %375 = add nsw i32 %374, 1
  store i32 %375, ptr %27, align 4
  br label %347, !llvm.loop !16

376:                                              ; preds = %347
  %377 = load i32, ptr %25, align 4
  %378 = load i64, ptr %26, align 8
  %379 = call i32 (ptr, ...) @printf(ptr noundef @.str.5, i32 noundef %377, i64 noundef %378)
  %380 = load i32, ptr %25, align 4
  %381 = icmp ne i32 %380, 0
  br i1 %381, label %385, label %382

382:                                              ; preds = %376
  %383 = load i64, ptr %26, align 8
  %384 = icmp ne i64 %383, -2714131027315362141
  br i1 %384, label %385, label %388

385:                                              ; preds = %382, %376
  %386 = load i32, ptr %2, align 4
  %387 = add nsw i32 %386, 1
  store i32 %387, ptr %2, align 4
  br label %388

388:                                              ; preds = %385, %382
  %389 = load i32, ptr %2, align 4
  %390 = icmp ne i32 %389, 0
  %391 = zext i1 %390 to i64
  %392 = select i1 %390, ptr @.str.7, ptr @.str.8
  %393 = call i32 (ptr, ...) @printf(ptr noundef @.str.6, ptr noundef %392)
  %394 = load i32, ptr %2, align 4
  %395 = icmp ne i32 %394, 0
  %396 = zext i1 %395 to i64
  %397 = select i1 %395, i32 1, i32 0
  ret i32 %397
}

; Function Attrs: noinline nounwind uwtable
define internal double @uniform() #0 {
  %1 = call i64 @lcg_next()
  %2 = lshr i64 %1, 11
  %3 = uitofp i64 %2 to double
  %4 = fdiv double %3, 0x4340000000000000
  %5 = call double @llvm.fmuladd.f64(double %4, double 2.000000e+00, double -1.000000e+00)
  ret double %5
}

; Function Attrs: noinline nounwind uwtable
define internal double @c_abs2(double %0, double %1) #0 {
  %3 = alloca %struct.cplx, align 8
  %4 = getelementptr inbounds { double, double }, ptr %3, i32 0, i32 0
  store double %0, ptr %4, align 8
  %5 = getelementptr inbounds { double, double }, ptr %3, i32 0, i32 1
  store double %1, ptr %5, align 8
  %6 = getelementptr inbounds %struct.cplx, ptr %3, i32 0, i32 0
  %7 = load double, ptr %6, align 8
  %8 = getelementptr inbounds %struct.cplx, ptr %3, i32 0, i32 0
  %9 = load double, ptr %8, align 8
  %10 = getelementptr inbounds %struct.cplx, ptr %3, i32 0, i32 1
  %11 = load double, ptr %10, align 8
  %12 = getelementptr inbounds %struct.cplx, ptr %3, i32 0, i32 1
  %13 = load double, ptr %12, align 8
  %14 = fmul double %11, %13
  %15 = call double @llvm.fmuladd.f64(double %7, double %9, double %14)
  ret double %15
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #1

; Function Attrs: noinline nounwind uwtable
define internal void @fft(ptr noundef %0, i64 noundef %1, i32 noundef %2) #0 {
  %4 = alloca ptr, align 8
  %5 = alloca i64, align 8
  %6 = alloca i32, align 4
  %7 = alloca i64, align 8
  %8 = alloca double, align 8
  %9 = alloca %struct.cplx, align 8
  %10 = alloca i64, align 8
  %11 = alloca %struct.cplx, align 8
  %12 = alloca i64, align 8
  %13 = alloca %struct.cplx, align 8
  %14 = alloca %struct.cplx, align 8
  %15 = alloca %struct.cplx, align 8
  %16 = alloca %struct.cplx, align 8
  %17 = alloca %struct.cplx, align 8
  %18 = alloca %struct.cplx, align 8
  store ptr %0, ptr %4, align 8
  store i64 %1, ptr %5, align 8
  store i32 %2, ptr %6, align 4
  %19 = load ptr, ptr %4, align 8
  %20 = load i64, ptr %5, align 8
  call void @bit_reverse(ptr noundef %19, i64 noundef %20)
  store i64 2, ptr %7, align 8
  br label %21

21:                                               ; preds = %157, %3
  %22 = load i64, ptr %7, align 8
  %23 = load i64, ptr %5, align 8
  %24 = icmp ule i64 %22, %23
  br i1 %24, label %25, label %160

25:                                               ; preds = %21
  %26 = load i32, ptr %6, align 4
  %27 = sitofp i32 %26 to double
  %28 = fmul double %27, 2.000000e+00
  %29 = fmul double %28, 0x400921FB54442D18
  %30 = load i64, ptr %7, align 8
  %31 = uitofp i64 %30 to double
  %32 = fdiv double %29, %31
  store double %32, ptr %8, align 8
  %33 = getelementptr inbounds %struct.cplx, ptr %9, i32 0, i32 0
  %34 = load double, ptr %8, align 8
  %35 = call double @cos(double noundef %34) #6
  store double %35, ptr %33, align 8
  %36 = getelementptr inbounds %struct.cplx, ptr %9, i32 0, i32 1
  %37 = load double, ptr %8, align 8
  %38 = call double @sin(double noundef %37) #6
  store double %38, ptr %36, align 8
  store i64 0, ptr %10, align 8
  br label %39

39:                                               ; preds = %152, %25
  %40 = load i64, ptr %10, align 8
  %41 = load i64, ptr %5, align 8
  %42 = icmp ult i64 %40, %41
  br i1 %42, label %43, label %156

43:                                               ; preds = %39
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %11, ptr align 8 @__const.fft.w, i64 16, i1 false)
  store i64 0, ptr %12, align 8
  br label %44

44:                                               ; preds = %148, %43
  %45 = load i64, ptr %12, align 8
  %46 = load i64, ptr %7, align 8
  %47 = udiv i64 %46, 2
  %48 = icmp ult i64 %45, %47
  br i1 %48, label %49, label %151

49:                                               ; preds = %44
  %50 = load ptr, ptr %4, align 8
  %51 = load i64, ptr %10, align 8
  %52 = load i64, ptr %12, align 8
  %53 = add i64 %51, %52
  %54 = getelementptr inbounds %struct.cplx, ptr %50, i64 %53
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %13, ptr align 8 %54, i64 16, i1 false)
  %55 = load ptr, ptr %4, align 8
  %56 = load i64, ptr %10, align 8
  %57 = load i64, ptr %12, align 8
  %58 = add i64 %56, %57
  %59 = load i64, ptr %7, align 8
  %60 = udiv i64 %59, 2
  %61 = add i64 %58, %60
  %62 = getelementptr inbounds %struct.cplx, ptr %55, i64 %61
  %63 = getelementptr inbounds { double, double }, ptr %62, i32 0, i32 0
  %64 = load double, ptr %63, align 8
  %65 = getelementptr inbounds { double, double }, ptr %62, i32 0, i32 1
  %66 = load double, ptr %65, align 8
  %67 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 0
  %68 = load double, ptr %67, align 8
  %69 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 1
  %70 = load double, ptr %69, align 8
  %71 = call { double, double } @c_mul(double %64, double %66, double %68, double %70)
  %72 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 0
  %73 = extractvalue { double, double } %71, 0
  store double %73, ptr %72, align 8
  %74 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 1
  %75 = extractvalue { double, double } %71, 1
  store double %75, ptr %74, align 8
  %76 = load ptr, ptr %4, align 8
  %77 = load i64, ptr %10, align 8
  %78 = load i64, ptr %12, align 8
  %79 = add i64 %77, %78
  %80 = getelementptr inbounds %struct.cplx, ptr %76, i64 %79
  %81 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 0
  %82 = load double, ptr %81, align 8
  %83 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 1
  %84 = load double, ptr %83, align 8
  %85 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 0
  %86 = load double, ptr %85, align 8
  %87 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 1
  %88 = load double, ptr %87, align 8
  %89 = call { double, double } @c_add(double %82, double %84, double %86, double %88)
  %90 = getelementptr inbounds { double, double }, ptr %15, i32 0, i32 0
  %91 = extractvalue { double, double } %89, 0
  store double %91, ptr %90, align 8
  %92 = getelementptr inbounds { double, double }, ptr %15, i32 0, i32 1
  %93 = extractvalue { double, double } %89, 1
  store double %93, ptr %92, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %80, ptr align 8 %15, i64 16, i1 false)
  %94 = load ptr, ptr %4, align 8
  %95 = load i64, ptr %10, align 8
  %96 = load i64, ptr %12, align 8
  %97 = add i64 %95, %96
  %98 = load i64, ptr %7, align 8
  %99 = udiv i64 %98, 2
  %100 = add i64 %97, %99
  %101 = getelementptr inbounds %struct.cplx, ptr %94, i64 %100
  %102 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 0
  %103 = load double, ptr %102, align 8
  %104 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 1
  %105 = load double, ptr %104, align 8
  %106 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 0
  %107 = load double, ptr %106, align 8
  %108 = getelementptr inbounds { double, double }, ptr %14, i32 0, i32 1
  %109 = load double, ptr %108, align 8
  %110 = call { double, double } @c_sub(double %103, double %105, double %107, double %109)
  %111 = getelementptr inbounds { double, double }, ptr %16, i32 0, i32 0
  %112 = extractvalue { double, double } %110, 0
  store double %112, ptr %111, align 8
  %113 = getelementptr inbounds { double, double }, ptr %16, i32 0, i32 1
  %114 = extractvalue { double, double } %110, 1
  store double %114, ptr %113, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %101, ptr align 8 %16, i64 16, i1 false)
  %115 = load i64, ptr %12, align 8
  %116 = urem i64 %115, 32
  %117 = icmp eq i64 %116, 31
  br i1 %117, label %118, label %133

118:                                              ; preds = %49
  %119 = getelementptr inbounds %struct.cplx, ptr %17, i32 0, i32 0
  %120 = load double, ptr %8, align 8
  %121 = load i64, ptr %12, align 8
  %122 = add i64 %121, 1
  %123 = uitofp i64 %122 to double
  %124 = fmul double %120, %123
  %125 = call double @cos(double noundef %124) #6
  store double %125, ptr %119, align 8
  %126 = getelementptr inbounds %struct.cplx, ptr %17, i32 0, i32 1
  %127 = load double, ptr %8, align 8
  %128 = load i64, ptr %12, align 8
  %129 = add i64 %128, 1
  %130 = uitofp i64 %129 to double
  %131 = fmul double %127, %130
  %132 = call double @sin(double noundef %131) #6
  store double %132, ptr %126, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %11, ptr align 8 %17, i64 16, i1 false)
  br label %147

133:                                              ; preds = %49
  %134 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 0
  %135 = load double, ptr %134, align 8
  %136 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 1
  %137 = load double, ptr %136, align 8
  %138 = getelementptr inbounds { double, double }, ptr %9, i32 0, i32 0
  %139 = load double, ptr %138, align 8
  %140 = getelementptr inbounds { double, double }, ptr %9, i32 0, i32 1
  %141 = load double, ptr %140, align 8
  %142 = call { double, double } @c_mul(double %135, double %137, double %139, double %141)
  %143 = getelementptr inbounds { double, double }, ptr %18, i32 0, i32 0
  %144 = extractvalue { double, double } %142, 0
  store double %144, ptr %143, align 8
  %145 = getelementptr inbounds { double, double }, ptr %18, i32 0, i32 1
  %146 = extractvalue { double, double } %142, 1
  store double %146, ptr %145, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %11, ptr align 8 %18, i64 16, i1 false)
  br label %147

147:                                              ; preds = %133, %118
  br label %148

148:                                              ; preds = %147
  %149 = load i64, ptr %12, align 8
  %150 = add i64 %149, 1
  store i64 %150, ptr %12, align 8
  br label %44, !llvm.loop !17

151:                                              ; preds = %44
  br label %152

152:                                              ; preds = %151
  %153 = load i64, ptr %7, align 8
  %154 = load i64, ptr %10, align 8
  %155 = add i64 %154, %153
  store i64 %155, ptr %10, align 8
  br label %39, !llvm.loop !18

156:                                              ; preds = %39
  br label %157

157:                                              ; preds = %156
  %158 = load i64, ptr %7, align 8
  %159 = shl i64 %158, 1
  store i64 %159, ptr %7, align 8
  br label %21, !llvm.loop !19

160:                                              ; preds = %21
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal void @ifft(ptr noundef %0, i64 noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  store ptr %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %6 = load ptr, ptr %3, align 8
  %7 = load i64, ptr %4, align 8
  call void @fft(ptr noundef %6, i64 noundef %7, i32 noundef 1)
  store i64 0, ptr %5, align 8
  br label %8

8:                                                ; preds = %29, %2
  %9 = load i64, ptr %5, align 8
  %10 = load i64, ptr %4, align 8
  %11 = icmp ult i64 %9, %10
  br i1 %11, label %12, label %32

12:                                               ; preds = %8
  %13 = load i64, ptr %4, align 8
  %14 = uitofp i64 %13 to double
  %15 = load ptr, ptr %3, align 8
  %16 = load i64, ptr %5, align 8
  %17 = getelementptr inbounds %struct.cplx, ptr %15, i64 %16
  %18 = getelementptr inbounds %struct.cplx, ptr %17, i32 0, i32 0
  %19 = load double, ptr %18, align 8
  %20 = fdiv double %19, %14
  store double %20, ptr %18, align 8
  %21 = load i64, ptr %4, align 8
  %22 = uitofp i64 %21 to double
  %23 = load ptr, ptr %3, align 8
  %24 = load i64, ptr %5, align 8
  %25 = getelementptr inbounds %struct.cplx, ptr %23, i64 %24
  %26 = getelementptr inbounds %struct.cplx, ptr %25, i32 0, i32 1
  %27 = load double, ptr %26, align 8
  %28 = fdiv double %27, %22
  store double %28, ptr %26, align 8
  br label %29

29:                                               ; preds = %12
  %30 = load i64, ptr %5, align 8
  %31 = add i64 %30, 1
  store i64 %31, ptr %5, align 8
  br label %8, !llvm.loop !20

32:                                               ; preds = %8
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal double @max_diff(ptr noundef %0, ptr noundef %1, i64 noundef %2) #0 {
  %4 = alloca ptr, align 8
  %5 = alloca ptr, align 8
  %6 = alloca i64, align 8
  %7 = alloca double, align 8
  %8 = alloca i64, align 8
  %9 = alloca double, align 8
  %10 = alloca %struct.cplx, align 8
  store ptr %0, ptr %4, align 8
  store ptr %1, ptr %5, align 8
  store i64 %2, ptr %6, align 8
  store double 0.000000e+00, ptr %7, align 8
  store i64 0, ptr %8, align 8
  br label %11

11:                                               ; preds = %47, %3
  %12 = load i64, ptr %8, align 8
  %13 = load i64, ptr %6, align 8
  %14 = icmp ult i64 %12, %13
  br i1 %14, label %15, label %50

15:                                               ; preds = %11
  %16 = load ptr, ptr %4, align 8
  %17 = load i64, ptr %8, align 8
  %18 = getelementptr inbounds %struct.cplx, ptr %16, i64 %17
  %19 = load ptr, ptr %5, align 8
  %20 = load i64, ptr %8, align 8
  %21 = getelementptr inbounds %struct.cplx, ptr %19, i64 %20
  %22 = getelementptr inbounds { double, double }, ptr %18, i32 0, i32 0
  %23 = load double, ptr %22, align 8
  %24 = getelementptr inbounds { double, double }, ptr %18, i32 0, i32 1
  %25 = load double, ptr %24, align 8
  %26 = getelementptr inbounds { double, double }, ptr %21, i32 0, i32 0
  %27 = load double, ptr %26, align 8
  %28 = getelementptr inbounds { double, double }, ptr %21, i32 0, i32 1
  %29 = load double, ptr %28, align 8
  %30 = call { double, double } @c_sub(double %23, double %25, double %27, double %29)
  %31 = getelementptr inbounds { double, double }, ptr %10, i32 0, i32 0
  %32 = extractvalue { double, double } %30, 0
  store double %32, ptr %31, align 8
  %33 = getelementptr inbounds { double, double }, ptr %10, i32 0, i32 1
  %34 = extractvalue { double, double } %30, 1
  store double %34, ptr %33, align 8
  %35 = getelementptr inbounds { double, double }, ptr %10, i32 0, i32 0
  %36 = load double, ptr %35, align 8
  %37 = getelementptr inbounds { double, double }, ptr %10, i32 0, i32 1
  %38 = load double, ptr %37, align 8
  %39 = call double @c_abs2(double %36, double %38)
  %40 = call double @sqrt(double noundef %39) #6
  store double %40, ptr %9, align 8
  %41 = load double, ptr %9, align 8
  %42 = load double, ptr %7, align 8
  %43 = fcmp ogt double %41, %42
  br i1 %43, label %44, label %46

44:                                               ; preds = %15
  %45 = load double, ptr %9, align 8
  store double %45, ptr %7, align 8
  br label %46

46:                                               ; preds = %44, %15
  br label %47

47:                                               ; preds = %46
  %48 = load i64, ptr %8, align 8
  %49 = add i64 %48, 1
  store i64 %49, ptr %8, align 8
  br label %11, !llvm.loop !21

50:                                               ; preds = %11
  %51 = load double, ptr %7, align 8
  ret double %51
}

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fabs.f64(double) #2

declare i32 @printf(ptr noundef, ...) #3

; Function Attrs: noinline nounwind uwtable
define internal void @naive_dft(ptr noundef %0, ptr noundef %1, i64 noundef %2) #0 {
  %4 = alloca ptr, align 8
  %5 = alloca ptr, align 8
  %6 = alloca i64, align 8
  %7 = alloca i64, align 8
  %8 = alloca %struct.cplx, align 8
  %9 = alloca i64, align 8
  %10 = alloca double, align 8
  %11 = alloca %struct.cplx, align 8
  %12 = alloca %struct.cplx, align 8
  %13 = alloca %struct.cplx, align 8
  store ptr %0, ptr %4, align 8
  store ptr %1, ptr %5, align 8
  store i64 %2, ptr %6, align 8
  store i64 0, ptr %7, align 8
  br label %14

14:                                               ; preds = %76, %3
  %15 = load i64, ptr %7, align 8
  %16 = load i64, ptr %6, align 8
  %17 = icmp ult i64 %15, %16
  br i1 %17, label %18, label %79

18:                                               ; preds = %14
  call void @llvm.memset.p0.i64(ptr align 8 %8, i8 0, i64 16, i1 false)
  store i64 0, ptr %9, align 8
  br label %19

19:                                               ; preds = %69, %18
  %20 = load i64, ptr %9, align 8
  %21 = load i64, ptr %6, align 8
  %22 = icmp ult i64 %20, %21
  br i1 %22, label %23, label %72

23:                                               ; preds = %19
  %24 = load i64, ptr %7, align 8
  %25 = load i64, ptr %9, align 8
  %26 = mul i64 %24, %25
  %27 = load i64, ptr %6, align 8
  %28 = urem i64 %26, %27
  %29 = uitofp i64 %28 to double
  %30 = fmul double 0xC01921FB54442D18, %29
  %31 = load i64, ptr %6, align 8
  %32 = uitofp i64 %31 to double
  %33 = fdiv double %30, %32
  store double %33, ptr %10, align 8
  %34 = load ptr, ptr %4, align 8
  %35 = load i64, ptr %9, align 8
  %36 = getelementptr inbounds %struct.cplx, ptr %34, i64 %35
  %37 = getelementptr inbounds %struct.cplx, ptr %13, i32 0, i32 0
  %38 = load double, ptr %10, align 8
  %39 = call double @cos(double noundef %38) #6
  store double %39, ptr %37, align 8
  %40 = getelementptr inbounds %struct.cplx, ptr %13, i32 0, i32 1
  %41 = load double, ptr %10, align 8
  %42 = call double @sin(double noundef %41) #6
  store double %42, ptr %40, align 8
  %43 = getelementptr inbounds { double, double }, ptr %36, i32 0, i32 0
  %44 = load double, ptr %43, align 8
  %45 = getelementptr inbounds { double, double }, ptr %36, i32 0, i32 1
  %46 = load double, ptr %45, align 8
  %47 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 0
  %48 = load double, ptr %47, align 8
  %49 = getelementptr inbounds { double, double }, ptr %13, i32 0, i32 1
  %50 = load double, ptr %49, align 8
  %51 = call { double, double } @c_mul(double %44, double %46, double %48, double %50)
  %52 = getelementptr inbounds { double, double }, ptr %12, i32 0, i32 0
  %53 = extractvalue { double, double } %51, 0
  store double %53, ptr %52, align 8
  %54 = getelementptr inbounds { double, double }, ptr %12, i32 0, i32 1
  %55 = extractvalue { double, double } %51, 1
  store double %55, ptr %54, align 8
  %56 = getelementptr inbounds { double, double }, ptr %8, i32 0, i32 0
  %57 = load double, ptr %56, align 8
  %58 = getelementptr inbounds { double, double }, ptr %8, i32 0, i32 1
  %59 = load double, ptr %58, align 8
  %60 = getelementptr inbounds { double, double }, ptr %12, i32 0, i32 0
  %61 = load double, ptr %60, align 8
  %62 = getelementptr inbounds { double, double }, ptr %12, i32 0, i32 1
  %63 = load double, ptr %62, align 8
  %64 = call { double, double } @c_add(double %57, double %59, double %61, double %63)
  %65 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 0
  %66 = extractvalue { double, double } %64, 0
  store double %66, ptr %65, align 8
  %67 = getelementptr inbounds { double, double }, ptr %11, i32 0, i32 1
  %68 = extractvalue { double, double } %64, 1
  store double %68, ptr %67, align 8
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %8, ptr align 8 %11, i64 16, i1 false)
  br label %69

69:                                               ; preds = %23
  %70 = load i64, ptr %9, align 8
  %71 = add i64 %70, 1
  store i64 %71, ptr %9, align 8
  br label %19, !llvm.loop !22

72:                                               ; preds = %19
  %73 = load ptr, ptr %5, align 8
  %74 = load i64, ptr %7, align 8
  %75 = getelementptr inbounds %struct.cplx, ptr %73, i64 %74
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %75, ptr align 8 %8, i64 16, i1 false)
  br label %76

76:                                               ; preds = %72
  %77 = load i64, ptr %7, align 8
  %78 = add i64 %77, 1
  store i64 %78, ptr %7, align 8
  br label %14, !llvm.loop !23

79:                                               ; preds = %14
  ret void
}

; Function Attrs: nounwind
declare double @cos(double noundef) #4

; Function Attrs: nounwind
declare double @sin(double noundef) #4

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fmuladd.f64(double, double, double) #2

; Function Attrs: nounwind
declare i64 @lround(double noundef) #4

; Function Attrs: nounwind
declare double @sqrt(double noundef) #4

; Function Attrs: noinline nounwind uwtable
define internal i64 @lcg_next() #0 {
  %1 = load i64, ptr @lcg_state, align 8
  %2 = mul i64 %1, 6364136223846793005
  %3 = add i64 %2, 1442695040888963407
  store i64 %3, ptr @lcg_state, align 8
  %4 = load i64, ptr @lcg_state, align 8
  ret i64 %4
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: write)
declare void @llvm.memset.p0.i64(ptr nocapture writeonly, i8, i64, i1 immarg) #5

; Function Attrs: noinline nounwind uwtable
define internal { double, double } @c_mul(double %0, double %1, double %2, double %3) #0 {
  %5 = alloca %struct.cplx, align 8
  %6 = alloca %struct.cplx, align 8
  %7 = alloca %struct.cplx, align 8
  %8 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 0
  store double %0, ptr %8, align 8
  %9 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 1
  store double %1, ptr %9, align 8
  %10 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 0
  store double %2, ptr %10, align 8
  %11 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 1
  store double %3, ptr %11, align 8
  %12 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 0
  %13 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 0
  %14 = load double, ptr %13, align 8
  %15 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 0
  %16 = load double, ptr %15, align 8
  %17 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 1
  %18 = load double, ptr %17, align 8
  %19 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 1
  %20 = load double, ptr %19, align 8
  %21 = fmul double %18, %20
  %22 = fneg double %21
  %23 = call double @llvm.fmuladd.f64(double %14, double %16, double %22)
  store double %23, ptr %12, align 8
  %24 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 1
  %25 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 0
  %26 = load double, ptr %25, align 8
  %27 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 1
  %28 = load double, ptr %27, align 8
  %29 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 1
  %30 = load double, ptr %29, align 8
  %31 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 0
  %32 = load double, ptr %31, align 8
  %33 = fmul double %30, %32
  %34 = call double @llvm.fmuladd.f64(double %26, double %28, double %33)
  store double %34, ptr %24, align 8
  %35 = load { double, double }, ptr %5, align 8
  ret { double, double } %35
}

; Function Attrs: nounwind
declare i64 @llround(double noundef) #4

; Function Attrs: noinline nounwind uwtable
define internal void @bit_reverse(ptr noundef %0, i64 noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  %6 = alloca i64, align 8
  %7 = alloca i64, align 8
  %8 = alloca %struct.cplx, align 8
  store ptr %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  store i64 1, ptr %5, align 8
  store i64 0, ptr %6, align 8
  br label %9

9:                                                ; preds = %49, %2
  %10 = load i64, ptr %5, align 8
  %11 = load i64, ptr %4, align 8
  %12 = icmp ult i64 %10, %11
  br i1 %12, label %13, label %52

13:                                               ; preds = %9
  %14 = load i64, ptr %4, align 8
  %15 = lshr i64 %14, 1
  store i64 %15, ptr %7, align 8
  br label %16

16:                                               ; preds = %25, %13
  %17 = load i64, ptr %6, align 8
  %18 = load i64, ptr %7, align 8
  %19 = and i64 %17, %18
  %20 = icmp ne i64 %19, 0
  br i1 %20, label %21, label %28

21:                                               ; preds = %16
  %22 = load i64, ptr %7, align 8
  %23 = load i64, ptr %6, align 8
  %24 = xor i64 %23, %22
  store i64 %24, ptr %6, align 8
  br label %25

25:                                               ; preds = %21
  %26 = load i64, ptr %7, align 8
  %27 = lshr i64 %26, 1
  store i64 %27, ptr %7, align 8
  br label %16, !llvm.loop !24

28:                                               ; preds = %16
  %29 = load i64, ptr %7, align 8
  %30 = load i64, ptr %6, align 8
  %31 = xor i64 %30, %29
  store i64 %31, ptr %6, align 8
  %32 = load i64, ptr %5, align 8
  %33 = load i64, ptr %6, align 8
  %34 = icmp ult i64 %32, %33
  br i1 %34, label %35, label %48

35:                                               ; preds = %28
  %36 = load ptr, ptr %3, align 8
  %37 = load i64, ptr %5, align 8
  %38 = getelementptr inbounds %struct.cplx, ptr %36, i64 %37
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %8, ptr align 8 %38, i64 16, i1 false)
  %39 = load ptr, ptr %3, align 8
  %40 = load i64, ptr %5, align 8
  %41 = getelementptr inbounds %struct.cplx, ptr %39, i64 %40
  %42 = load ptr, ptr %3, align 8
  %43 = load i64, ptr %6, align 8
  %44 = getelementptr inbounds %struct.cplx, ptr %42, i64 %43
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %41, ptr align 8 %44, i64 16, i1 false)
  %45 = load ptr, ptr %3, align 8
  %46 = load i64, ptr %6, align 8
  %47 = getelementptr inbounds %struct.cplx, ptr %45, i64 %46
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %47, ptr align 8 %8, i64 16, i1 false)
  br label %48

48:                                               ; preds = %35, %28
  br label %49

49:                                               ; preds = %48
  %50 = load i64, ptr %5, align 8
  %51 = add i64 %50, 1
  store i64 %51, ptr %5, align 8
  br label %9, !llvm.loop !25

52:                                               ; preds = %9
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal { double, double } @c_add(double %0, double %1, double %2, double %3) #0 {
  %5 = alloca %struct.cplx, align 8
  %6 = alloca %struct.cplx, align 8
  %7 = alloca %struct.cplx, align 8
  %8 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 0
  store double %0, ptr %8, align 8
  %9 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 1
  store double %1, ptr %9, align 8
  %10 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 0
  store double %2, ptr %10, align 8
  %11 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 1
  store double %3, ptr %11, align 8
  %12 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 0
  %13 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 0
  %14 = load double, ptr %13, align 8
  %15 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 0
  %16 = load double, ptr %15, align 8
  %17 = fadd double %14, %16
  store double %17, ptr %12, align 8
  %18 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 1
  %19 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 1
  %20 = load double, ptr %19, align 8
  %21 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 1
  %22 = load double, ptr %21, align 8
  %23 = fadd double %20, %22
  store double %23, ptr %18, align 8
  %24 = load { double, double }, ptr %5, align 8
  ret { double, double } %24
}

; Function Attrs: noinline nounwind uwtable
define internal { double, double } @c_sub(double %0, double %1, double %2, double %3) #0 {
  %5 = alloca %struct.cplx, align 8
  %6 = alloca %struct.cplx, align 8
  %7 = alloca %struct.cplx, align 8
  %8 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 0
  store double %0, ptr %8, align 8
  %9 = getelementptr inbounds { double, double }, ptr %6, i32 0, i32 1
  store double %1, ptr %9, align 8
  %10 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 0
  store double %2, ptr %10, align 8
  %11 = getelementptr inbounds { double, double }, ptr %7, i32 0, i32 1
  store double %3, ptr %11, align 8
  %12 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 0
  %13 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 0
  %14 = load double, ptr %13, align 8
  %15 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 0
  %16 = load double, ptr %15, align 8
  %17 = fsub double %14, %16
  store double %17, ptr %12, align 8
  %18 = getelementptr inbounds %struct.cplx, ptr %5, i32 0, i32 1
  %19 = getelementptr inbounds %struct.cplx, ptr %6, i32 0, i32 1
  %20 = load double, ptr %19, align 8
  %21 = getelementptr inbounds %struct.cplx, ptr %7, i32 0, i32 1
  %22 = load double, ptr %21, align 8
  %23 = fsub double %20, %22
  store double %23, ptr %18, align 8
  %24 = load { double, double }, ptr %5, align 8
  ret { double, double } %24
}

attributes #0 = { noinline nounwind uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nocallback nofree nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { nocallback nofree nosync nounwind speculatable willreturn memory(none) }
attributes #3 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nounwind "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #5 = { nocallback nofree nounwind willreturn memory(argmem: write) }
attributes #6 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3, !4}
!llvm.ident = !{!5}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{i32 7, !"frame-pointer", i32 2}
!5 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!6 = distinct !{!6, !7}
!7 = !{!"llvm.loop.mustprogress"}
!8 = distinct !{!8, !7}
!9 = distinct !{!9, !7}
!10 = distinct !{!10, !7}
!11 = distinct !{!11, !7}
!12 = distinct !{!12, !7}
!13 = distinct !{!13, !7}
!14 = distinct !{!14, !7}
!15 = distinct !{!15, !7}
!16 = distinct !{!16, !7}
!17 = distinct !{!17, !7}
!18 = distinct !{!18, !7}
!19 = distinct !{!19, !7}
!20 = distinct !{!20, !7}
!21 = distinct !{!21, !7}
!22 = distinct !{!22, !7}
!23 = distinct !{!23, !7}
!24 = distinct !{!24, !7}
!25 = distinct !{!25, !7}
